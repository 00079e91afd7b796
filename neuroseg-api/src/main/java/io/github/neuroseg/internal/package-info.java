/**
 * Not API: helpers that neuroseg's own modules share and users do not call, and that may change
 * in any release. {@link io.github.neuroseg.internal.Checks} validates arguments with the
 * project's message shape ({@code what must be > 0, got value}) and {@link
 * io.github.neuroseg.internal.IoErrors} turns an {@link java.io.IOException} into a {@link
 * io.github.neuroseg.NeuroSegIOException} that names the file.
 */
@NullMarked
package io.github.neuroseg.internal;

import org.jspecify.annotations.NullMarked;
