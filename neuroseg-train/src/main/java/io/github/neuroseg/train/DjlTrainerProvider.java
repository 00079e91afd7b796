package io.github.neuroseg.train;

import io.github.neuroseg.spi.TrainerProvider;
import io.github.neuroseg.training.ModelTrainer;
import io.github.neuroseg.training.TrainedModel;
import io.github.neuroseg.training.TrainerConfig;

/**
 * The {@link TrainerProvider} of {@code neuroseg-train}: {@link
 * io.github.neuroseg.NeuroSeg#trainer()} finds it with {@link java.util.ServiceLoader} and runs
 * the DJL trainer; the best weights are exported to ONNX into the returned {@link TrainedModel}.
 * Applications do not use this class directly.
 */
public final class DjlTrainerProvider implements TrainerProvider {

  /** Called by {@link java.util.ServiceLoader}. */
  public DjlTrainerProvider() {}

  /**
   * A trainer of {@code config}.
   *
   * @throws io.github.neuroseg.InvalidInputException when the provenance names a key the trainer
   *     writes itself
   */
  @Override
  public ModelTrainer create(TrainerConfig config) {
    return new DjlModelTrainer(config);
  }

  /** The exported model of a training run. */
  static TrainedModel toTrainedModel(TrainingResult r) {
    return new TrainedModel(OnnxExport.toBytes(r), r.validationDice(), r.validationHd95(),
        r.threshold(), r.bestEpoch(), r.history(), r.provenance());
  }

  /** Immutable, like the DJL trainer it wraps, which trains afresh (or resumes) on each call. */
  private static final class DjlModelTrainer implements ModelTrainer {
    private final TrainerConfig config;
    private final Trainer trainer;

    DjlModelTrainer(TrainerConfig config) {
      this.config = config;
      // built eagerly so that settings the DJL trainer rejects fail in build(), not in train()
      this.trainer = new Trainer(config);
    }

    @Override
    public TrainedModel train() {
      return toTrainedModel(trainer.train());
    }

    @Override
    public TrainerConfig config() {
      return config;
    }

    @Override
    public String toString() {
      return "DjlModelTrainer[" + config.architecture() + ", " + config.epochs() + " epochs x "
          + config.stepsPerEpoch() + " steps x " + config.batchSize() + " blocks]";
    }
  }
}
