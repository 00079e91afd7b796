/**
 * Service-provider interfaces through which implementation modules plug into {@link
 * io.github.neuroseg.NeuroSeg}. Users do not call these directly.
 */
@NullMarked
package io.github.neuroseg.spi;

import org.jspecify.annotations.NullMarked;
