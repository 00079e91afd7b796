package io.github.neuroseg.train;

import ai.djl.ndarray.NDArray;

/** The training loss: binary cross-entropy on logits plus soft Dice loss. */
final class Losses {
  private Losses() {}

  /**
   * {@code mean BCE(sigmoid(z), y) + 1 - (2 sum(p y) + 1) / (sum p + sum y + 1)} with {@code p =
   * sigmoid(z)}; BCE in the stable form {@code max(z, 0) - z y + log(1 + exp(-|z|))}.
   */
  static NDArray bceDice(NDArray logits, NDArray target) {
    NDArray bce = logits.maximum(0f).sub(logits.mul(target))
        .add(logits.abs().neg().exp().add(1f).log()).mean();
    NDArray p = ai.djl.nn.Activation.sigmoid(logits);
    NDArray inter = p.mul(target).sum();
    NDArray dice = inter.mul(2f).add(1f).div(p.sum().add(target.sum()).add(1f));
    return bce.add(dice.neg().add(1f));
  }
}
