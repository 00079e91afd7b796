package io.github.neuroseg.training;

import io.github.neuroseg.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Volumes divided into training, validation and test sets.
 *
 * @param training volumes to learn from
 * @param validation volumes for model selection and threshold calibration
 * @param test held-out volumes for the final scores
 */
public record DataSplit(List<LabeledVolume> training, List<LabeledVolume> validation,
    List<LabeledVolume> test) {

  /** Copies the lists. */
  public DataSplit {
    training = List.copyOf(training);
    validation = List.copyOf(validation);
    test = List.copyOf(test);
  }

  /**
   * A split by volume name: the named volumes validate and test, every other one trains.
   *
   * @throws InvalidInputException when a name matches no volume, a volume is named for both, no
   *     volume is left for training, or none is named for validation
   */
  public static DataSplit byName(List<LabeledVolume> volumes, List<String> validationNames,
      List<String> testNames) {
    java.util.Set<String> known = new java.util.HashSet<>();
    volumes.forEach(v -> known.add(v.name()));
    for (String n : validationNames) {
      if (testNames.contains(n)) {
        throw new InvalidInputException("volume '" + n + "' is named for both validation and "
            + "test");
      }
    }
    List<String> unknown = new ArrayList<>();
    for (String n : validationNames) {
      if (!known.contains(n)) {
        unknown.add(n);
      }
    }
    for (String n : testNames) {
      if (!known.contains(n)) {
        unknown.add(n);
      }
    }
    if (!unknown.isEmpty()) {
      throw new InvalidInputException("no volume named " + unknown + "; the volumes are "
          + volumes.stream().map(LabeledVolume::name).toList());
    }
    if (validationNames.isEmpty()) {
      throw new InvalidInputException("name at least one validation volume");
    }
    List<LabeledVolume> train = new ArrayList<>();
    List<LabeledVolume> val = new ArrayList<>();
    List<LabeledVolume> test = new ArrayList<>();
    for (LabeledVolume v : volumes) {
      (validationNames.contains(v.name()) ? val : testNames.contains(v.name()) ? test : train)
          .add(v);
    }
    if (train.isEmpty()) {
      throw new InvalidInputException("no volume is left for training");
    }
    return new DataSplit(train, val, test);
  }

  /**
   * Checks the fractions of a random split ({@link #of}) before any data is read: the
   * validation fraction is {@code > 0} (validation volumes calibrate the threshold and choose the
   * best epoch, so there is always at least one), the test fraction {@code >= 0}, and together
   * they leave some volumes for training.
   *
   * @throws InvalidInputException naming the fraction out of range
   */
  public static void checkFractions(double validationFraction, double testFraction) {
    if (validationFraction == 0) {
      throw new InvalidInputException("validation fraction must be > 0 (validation volumes"
          + " calibrate the threshold and choose the best epoch; name them with validation"
          + " cases to choose which), got 0");
    }
    if (!(validationFraction > 0 && testFraction >= 0
        && validationFraction + testFraction < 1)) {
      throw new InvalidInputException("validation and test fractions must be > 0 and >= 0 and"
          + " add up to less than 1, got " + validationFraction + " and " + testFraction);
    }
  }

  /**
   * A seeded random split: {@code round(n * validationFraction)} (at least 1) volumes for
   * validation, {@code round(n * testFraction)} for test, the rest (at least 1) for training.
   *
   * @throws InvalidInputException when there are fewer than two volumes, a fraction is out of
   *     range ({@link #checkFractions}) or the fractions leave no training volume
   */
  public static DataSplit of(List<LabeledVolume> volumes, double validationFraction,
      double testFraction, long seed) {
    int n = volumes.size();
    if (n < 2) {
      throw new InvalidInputException("need at least 2 labelled volumes (training and "
          + "validation), got " + n);
    }
    checkFractions(validationFraction, testFraction);
    int nv = Math.max(1, (int) Math.round(n * validationFraction));
    int nt = (int) Math.round(n * testFraction);
    if (n - nv - nt < 1) {
      throw new InvalidInputException(n + " volumes leave none for training with "
          + nv + " for validation and " + nt + " for test");
    }
    List<LabeledVolume> shuffled = new ArrayList<>(volumes);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      LabeledVolume t = shuffled.get(i);
      shuffled.set(i, shuffled.get(j));
      shuffled.set(j, t);
    }
    return new DataSplit(shuffled.subList(nv + nt, n), shuffled.subList(0, nv),
        shuffled.subList(nv, nv + nt));
  }
}
