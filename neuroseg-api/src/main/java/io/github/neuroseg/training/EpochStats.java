package io.github.neuroseg.training;

/**
 * What one epoch achieved.
 *
 * @param epoch epoch number, from 1
 * @param trainLoss mean training loss of the epoch
 * @param validationDice mean Dice of the validation volumes at {@code threshold}
 * @param validationHd95 mean HD95 in voxels of the validation volumes
 * @param threshold the probability threshold calibrated on validation after this epoch
 * @param learningRate the learning rate at the end of the epoch
 */
public record EpochStats(int epoch, double trainLoss, double validationDice,
    double validationHd95, double threshold, double learningRate) {}
