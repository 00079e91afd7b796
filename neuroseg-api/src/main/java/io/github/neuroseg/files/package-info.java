/**
 * File helpers shared by every neuroseg writer: atomic, durable replacement of a file or a
 * directory store, sets of files moved into place together ({@link
 * io.github.neuroseg.files.AtomicWrite}), and the checks of an output made before the work that
 * produces it ({@link io.github.neuroseg.files.OutputPaths}).
 */
@NullMarked
package io.github.neuroseg.files;

import org.jspecify.annotations.NullMarked;
