package io.github.neuroseg.training;

/**
 * How the colour channels of a pretrained 2D patch kernel {@code [E, C, p, p]} become the one
 * channel of neuroseg's grey input, before the kernel is spread over depth by an {@link
 * Inflation}.
 */
public enum ChannelReduction {
  /**
   * The channel kernels are added: a grey image fed as RGB (the same values in every channel)
   * gives the same response as before. The default.
   */
  SUM,
  /**
   * The channel kernels are averaged ({@code SUM / C}): the response to a grey image is {@code
   * 1 / C} of the RGB one, which keeps the scale of the patch embedding for inputs normalised
   * like one colour channel.
   */
  MEAN
}
