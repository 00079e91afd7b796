/**
 * Pictures for people: maximum-intensity projections of a volume with its mask and a traced
 * neuron drawn over them ({@link io.github.neuroseg.preview.Projections}).
 */
@NullMarked
package io.github.neuroseg.preview;

import org.jspecify.annotations.NullMarked;
