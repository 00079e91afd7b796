package io.github.neuroseg.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.neuroseg.InvalidInputException;
import io.github.neuroseg.training.VitArchitecture;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VitWeightsTest {

  @Test
  void theParameterCountIsTheSumOfTheWeightShapes() {
    for (VitArchitecture a : new VitArchitecture[] {VitArchitecture.DEFAULT,
        VitArchitecture.tiny().withHead(VitArchitecture.Head.CONV).withLayerScale(true)
            .withRegisters(4), new VitArchitecture(48, 3, 4, 16, 3, 64, 32)}) {
      long n = 0;
      for (FloatTensor t : VitWeights.random(a, 1, 0.1).values()) {
        n += t.values().length;
      }
      assertEquals(n, a.parameterCount(), a.toString());
    }
  }

  @Test
  void weightsBeyondTheHeapAreRefusedBeforeAnyAllocation() {
    // each weight fits one array, the 100 blocks together need about 2.5 TB
    VitArchitecture huge = new VitArchitecture(23000, 100, 4, 8, 5, 32, 32);
    for (var make : java.util.List.<java.util.function.Supplier<Map<String, FloatTensor>>>of(
        () -> VitWeights.initial(huge, 1), () -> VitWeights.random(huge, 1, 0.1))) {
      String m = assertThrows(InvalidInputException.class, make::get).getMessage();
      assertTrue(m.startsWith("the " + huge.parameterCount() + " weights of " + huge), m);
      assertTrue(m.contains("more than the JVM's maximum heap"), m);
    }
  }
}
