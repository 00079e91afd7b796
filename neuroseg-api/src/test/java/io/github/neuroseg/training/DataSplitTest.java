package io.github.neuroseg.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.swc.Swc;
import io.github.neuroseg.synth.NeuronGenerator;
import io.github.neuroseg.synth.NeuronRenderer;
import io.github.neuroseg.synth.RenderedNeuron;
import io.github.neuroseg.volume.Volumes;
import io.github.neuroseg.volume.VoxelSize;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSplitTest {
  @TempDir Path dir;

  private static RenderedNeuron neuron(long seed) {
    long[] dims = {24, 20, 4};
    return NeuronRenderer.newBuilder().seed(seed).build().render(NeuronGenerator.newBuilder()
        .bounds(dims[0], dims[1], dims[2]).seed(seed).build().generate(), dims, VoxelSize.UNIT);
  }

  @Test
  void aValidationFractionOfZeroIsRefusedNotSilentlyOne() {
    List<LabeledVolume> volumes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      volumes.add(LabeledVolume.of(neuron(i), "v" + i));
    }
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> DataSplit.of(volumes, 0, 0.2, 1));
    assertTrue(e.getMessage().startsWith("validation fraction must be > 0"), e.getMessage());
    assertEquals(e.getMessage(), assertThrows(InvalidInputException.class,
        () -> DataSplit.checkFractions(0, 0.2)).getMessage());
    assertThrows(InvalidInputException.class, () -> DataSplit.checkFractions(-0.1, 0.2));
    assertThrows(InvalidInputException.class, () -> DataSplit.checkFractions(0.5, 0.5));
    assertThrows(InvalidInputException.class, () -> DataSplit.checkFractions(Double.NaN, 0));
    DataSplit.checkFractions(0.2, 0);
    // a small fraction still validates on one volume, as documented
    DataSplit s = DataSplit.of(volumes, 0.05, 0.2, 1);
    assertEquals(List.of(1, 1, 3), List.of(s.validation().size(), s.test().size(),
        s.training().size()));
  }

  @Test
  void pairsAreFoundWhateverTheCaseOfTheirExtensions() throws IOException {
    String[][] names = {{"A.SWC", "A.TIF"}, {"b.Swc", "b.TIFF"}, {"c.swc", "c.V3DRAW"}};
    for (int i = 0; i < names.length; i++) {
      RenderedNeuron n = neuron(10 + i);
      Swc.write(n.tree(), dir.resolve(names[i][0]));
      Volumes.write(n.image(), dir.resolve(names[i][1]));
    }
    List<LabeledVolume> pairs = LabeledVolume.readPairs(dir);
    assertEquals(List.of("A", "b", "c"), pairs.stream().map(LabeledVolume::name).toList());
  }
}
