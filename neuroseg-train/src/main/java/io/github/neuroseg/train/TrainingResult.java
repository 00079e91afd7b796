package io.github.neuroseg.train;

import io.github.neuroseg.model.FloatTensor;
import io.github.neuroseg.training.EpochStats;
import io.github.neuroseg.training.VitArchitecture;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link Trainer#train()}: the best weights (by validation Dice), the threshold
 * calibrated for them, the history, and the provenance recorded in exported models.
 *
 * @param config the network size
 * @param weights the best weights by timm name
 * @param threshold probability threshold calibrated on validation for the best weights
 * @param validationDice mean validation Dice of the best weights
 * @param validationHd95 mean validation HD95 (voxels) of the best weights
 * @param bestEpoch the epoch that gave the best weights (from 1)
 * @param history every epoch's statistics
 * @param provenance key/value metadata: normalization, inflation, pretrained, epochs, seed,
 *     val_dice, threshold, voxel_size, input_depth, tile_h, tile_w, patch
 */
record TrainingResult(VitArchitecture config, Map<String, FloatTensor> weights,
    double threshold, double validationDice, double validationHd95, int bestEpoch,
    List<EpochStats> history, Map<String, String> provenance) {

  /** Copies the collections. */
  TrainingResult {
    weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    history = List.copyOf(history);
    provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
  }

  /** A new DJL model holding the best weights (the caller closes it). */
  VitModel toModel() {
    return VitModel.of(config, weights);
  }
}
