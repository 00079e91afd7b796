package io.github.neuroseg.train;

import io.github.neuroseg.spi.TrainerProvider;
import io.github.neuroseg.training.ModelTrainer;
import io.github.neuroseg.training.TrainedModel;
import io.github.neuroseg.training.TrainerConfig;

/**
 * The {@link TrainerProvider} of {@code neuroseg-train}: {@link
 * io.github.neuroseg.NeuroSeg#trainer()} finds it with {@link java.util.ServiceLoader} and runs
 * the DJL {@link Trainer}; the best weights are exported with {@link OnnxExport} into the
 * returned {@link TrainedModel}. Applications do not use this class directly.
 */
public final class DjlTrainerProvider implements TrainerProvider {

  /** Called by {@link java.util.ServiceLoader}. */
  public DjlTrainerProvider() {}

  /** A trainer that maps {@code config} onto {@link Trainer#newBuilder()}. */
  @Override
  public ModelTrainer create(TrainerConfig config) {
    return new DjlModelTrainer(config);
  }

  /** The network size of a configuration. */
  static VitConfig network(TrainerConfig c) {
    return new VitConfig(c.embedDim(), c.layers(), c.heads(), c.patch(), c.inputDepth(),
        c.tileHeight(), c.tileWidth());
  }

  /** A DJL trainer with every setting of {@code c}. */
  static Trainer trainer(TrainerConfig c) {
    return Trainer.newBuilder()
        .model(network(c))
        .trainingData(c.trainingData())
        .validationData(c.validationData())
        .pretrained(c.pretrained())
        .inflation(c.inflation())
        .pretrainedLearningRateScale(c.pretrainedLearningRateScale())
        .epochs(c.epochs())
        .stepsPerEpoch(c.stepsPerEpoch())
        .batchSize(c.batchSize())
        .learningRate(c.learningRate())
        .warmupSteps(c.warmupSteps())
        .weightDecay(c.weightDecay())
        .minForegroundRatio(c.minForegroundRatio())
        .augment(c.augment())
        .patience(c.patience())
        .seed(c.seed())
        .checkpointDirectory(c.checkpointDirectory())
        .resume(c.resume())
        .listener(c.progress())
        .build();
  }

  /** The exported model of a training run. */
  static TrainedModel toTrainedModel(TrainingResult r) {
    byte[] onnx = OnnxExport.toBytes(r.config(), r.weights(), r.provenance());
    return new TrainedModel(onnx, r.validationDice(), r.validationHd95(), r.threshold(),
        r.bestEpoch(), r.provenance());
  }

  /** Immutable, like the DJL trainer it wraps, which trains afresh (or resumes) on each call. */
  private static final class DjlModelTrainer implements ModelTrainer {
    private final TrainerConfig config;
    private final Trainer trainer;

    DjlModelTrainer(TrainerConfig config) {
      this.config = config;
      // built eagerly so that settings the DJL trainer rejects fail in build(), not in train()
      this.trainer = trainer(config);
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
      return "DjlModelTrainer[" + network(config) + ", " + config.epochs() + " epochs x "
          + config.stepsPerEpoch() + " steps x " + config.batchSize() + " blocks]";
    }
  }
}
