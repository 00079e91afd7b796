/**
 * Entry point ({@link io.github.neuroseg.NeuroSeg}), devices, progress reports and the unchecked
 * exception family ({@link io.github.neuroseg.NeuroSegException}) shared by all modules.
 */
@NullMarked
package io.github.neuroseg;

import org.jspecify.annotations.NullMarked;
