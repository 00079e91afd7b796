package io.github.neuroseg.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import io.github.neuroseg.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The emitter's output read back by a real YAML parser. */
class YamlWriterTest {

  private static Object read(String yaml) {
    return new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
  }

  @Test
  void nestedMapsAndListsReadBackEqual() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("id", "scale_range");
    inner.put("kwargs", Map.of("axes", List.of("z", "y", "x"), "eps", 0.000001));
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("format_version", "0.5.7");
    root.put("steps", List.of(inner, Map.of("id", "sigmoid")));
    root.put("nested", List.of(List.of(1, 2), List.of()));
    root.put("empty", Map.of());
    root.put("flag", false);
    root.put("n", 17);
    root.put("neuroseg.format", "1");
    root.put("y", "a key YAML 1.1 may read as a boolean");
    assertEquals(root, read(YamlWriter.write(List.of("a comment"), root)));
  }

  @Test
  void stringsThatLookLikeOtherTypesStayStrings() {
    for (String s : List.of("no", "yes", "on", "~", "null", "0.5.7", "1e3", "0x1F", ".inf",
        "2024-05-04", "- item", "key: value", "# not a comment", "'quoted'", "\"dq\"", "a\\b",
        "", " leading", "trailing ", "tab\there", "line\nbreak", "\u00e9\u4e2d\ud83d\ude00",
        "\u0007bell", "\u2028")) {
      assertEquals(Map.of("v", s), read(YamlWriter.write(List.of(), Map.of("v", s))), s);
    }
  }

  @Test
  void anyStringReadsBackUnchanged() {
    qt().withFixedSeed(5150L).withExamples(400)
        .forAll(strings().allPossible().ofLengthBetween(0, 24))
        .assuming(s -> s.codePoints().noneMatch(c -> c >= 0xD800 && c <= 0xDFFF))
        .checkAssert(s -> assertEquals(Map.of("v", s),
            read(YamlWriter.write(List.of(), Map.of("v", s)))));
  }

  @Test
  void anyFiniteDoubleReadsBackExactly() {
    qt().withFixedSeed(77L).withExamples(400)
        .forAll(doubles().any())
        .assuming(Double::isFinite)
        .checkAssert(d -> {
          Object back = ((Map<?, ?>) read("v: " + YamlWriter.number(d))).get("v");
          assertEquals(d + 0.0, ((Double) back).doubleValue(), 0.0);
        });
    qt().withFixedSeed(78L).withExamples(100)
        .forAll(integers().all())
        .checkAssert(i -> assertEquals(Map.of("v", i),
            read(YamlWriter.write(List.of(), Map.of("v", i)))));
  }

  @Test
  void refusesWhatYamlCannotCarry() {
    assertThrows(InvalidInputException.class,
        () -> YamlWriter.write(List.of(), Map.of("v", Double.NaN)));
    assertThrows(InvalidInputException.class,
        () -> YamlWriter.write(List.of(), Map.of("v", "\ud800")));
    assertThrows(InvalidInputException.class,
        () -> YamlWriter.write(List.of(), Map.of("v", new Object())));
  }
}
