package io.github.neuroseg.spi;

import io.github.neuroseg.training.ModelTrainer;
import io.github.neuroseg.training.TrainerConfig;

/**
 * Creates {@link ModelTrainer}s. Implementations are registered in {@code
 * META-INF/services/io.github.neuroseg.spi.TrainerProvider}.
 */
public interface TrainerProvider {
  /** Maven coordinates of the reference implementation, for error messages. */
  String ARTIFACT = "io.github.neuroseg:neuroseg-train";

  /** A trainer for the given settings. */
  ModelTrainer create(TrainerConfig config);
}
