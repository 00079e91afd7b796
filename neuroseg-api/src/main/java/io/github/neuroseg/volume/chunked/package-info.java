/**
 * Chunked volumes: OME-Zarr 0.4 (Zarr v2), OME-Zarr 0.5 (Zarr v3) and N5 stores, read as lazy
 * imglib2 images with a bounded chunk cache ({@link io.github.neuroseg.volume.chunked.ChunkedReader})
 * and written block by block ({@link io.github.neuroseg.volume.chunked.ChunkedWriter}).
 * {@link io.github.neuroseg.volume.Volumes#read(java.nio.file.Path)} and
 * {@link io.github.neuroseg.volume.Volumes#write(io.github.neuroseg.volume.Volume,
 * java.nio.file.Path)} use them for directories and {@code .zarr} / {@code .n5} names.
 */
@NullMarked
package io.github.neuroseg.volume.chunked;

import org.jspecify.annotations.NullMarked;
