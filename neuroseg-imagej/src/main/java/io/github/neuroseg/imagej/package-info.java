/**
 * The ImageJ 1.x / Fiji command {@code Plugins > Neuroseg > Segment and Trace} ({@link
 * io.github.neuroseg.imagej.SegmentAndTrace}) and conversions between ImageJ images and neuroseg
 * volumes ({@link io.github.neuroseg.imagej.ImagePlusVolumes}). Installation and the macro
 * syntax are in {@code docs/imagej.md}.
 */
@NullMarked
package io.github.neuroseg.imagej;

import org.jspecify.annotations.NullMarked;
