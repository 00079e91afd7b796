/**
 * Synthetic neurons: exact ground-truth masks rendered from neuron trees ({@link
 * io.github.neuroseg.synth.GroundTruth}), random neuron generation ({@link
 * io.github.neuroseg.synth.NeuronGenerator}) and realistic, seeded microscopy-like rendering
 * ({@link io.github.neuroseg.synth.NeuronRenderer}).
 */
@NullMarked
package io.github.neuroseg.synth;

import org.jspecify.annotations.NullMarked;
