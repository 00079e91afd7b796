/** File helpers shared by every neuroseg writer: atomic replacement of a file. */
@NullMarked
package io.github.neuroseg.files;

import org.jspecify.annotations.NullMarked;
