package io.github.neuroseg.model.internal;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import io.github.neuroseg.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small builder of float32 ONNX graphs (opset {@value #OPSET}, IR version {@value
 * #IR_VERSION}) on the ONNX protobuf classes. Used by {@link io.github.neuroseg.model.VitOnnxWriter}; also handy for
 * building test models. Not thread-safe; use one per graph.
 */
public final class OnnxGraph {
  /** The operator set version of every graph written. */
  public static final int OPSET = 17;
  /** The ONNX IR version written (8 is the first to support opset 17). */
  public static final int IR_VERSION = 8;

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private int counter;

  /** An empty graph called {@code name}. */
  public OnnxGraph(String name) {
    graph.setName(name);
  }

  /**
   * Declares a float32 graph input; each dimension is a size, or {@code -1} for a dynamic one
   * named by {@code names} at the same index.
   */
  public OnnxGraph input(String name, long[] dims, String... names) {
    graph.addInput(valueInfo(name, dims, names));
    return this;
  }

  /** Declares a float32 graph output, as {@link #input}. */
  public OnnxGraph output(String name, long[] dims, String... names) {
    graph.addOutput(valueInfo(name, dims, names));
    return this;
  }

  private static ValueInfoProto valueInfo(String name, long[] dims, String... names) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (int i = 0; i < dims.length; i++) {
      TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
      if (dims[i] < 0) {
        d.setDimParam(i < names.length ? names[i] : "d" + i);
      } else {
        d.setDimValue(dims[i]);
      }
      shape.addDim(d);
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder()
            .setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape))).build();
  }

  /**
   * Adds a float32 initializer (a constant tensor) and returns its name.
   *
   * @throws InvalidInputException if the number of values does not match the shape
   */
  public String floats(String name, long[] dims, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return initializer(name, dims, values.length, TensorProto.DataType.FLOAT, b.array());
  }

  /**
   * Adds an int8 initializer (quantised weights) and returns its name.
   *
   * @throws InvalidInputException if the number of values does not match the shape
   */
  public String int8s(String name, long[] dims, byte[] values) {
    return initializer(name, dims, values.length, TensorProto.DataType.INT8, values);
  }

  private String initializer(String name, long[] dims, int count, TensorProto.DataType type,
      byte[] raw) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    if (n != count) {
      throw new InvalidInputException("initializer " + name + ": shape "
          + java.util.Arrays.toString(dims) + " needs " + n + " values, got " + count);
    }
    TensorProto.Builder t = TensorProto.newBuilder().setName(name)
        .setDataType(type.getNumber()).setRawData(ByteString.copyFrom(raw));
    for (long d : dims) {
      t.addDims(d);
    }
    graph.addInitializer(t);
    return name;
  }

  /** Adds a float32 scalar constant and returns its name. */
  public String scalar(float value) {
    return floats("const_" + counter++, new long[0], new float[] {value});
  }

  /** Adds a 1D int64 constant (shapes, axes, indices) and returns its name. */
  public String longs(long... values) {
    return longTensor(new long[] {values.length}, values);
  }

  /** Adds a 0D int64 constant (a scalar index for Gather) and returns its name. */
  public String longScalar(long value) {
    return longTensor(new long[0], new long[] {value});
  }

  private String longTensor(long[] dims, long[] values) {
    String name = "const_" + counter++;
    TensorProto.Builder t = TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.INT64.getNumber());
    for (long d : dims) {
      t.addDims(d);
    }
    for (long v : values) {
      t.addInt64Data(v);
    }
    graph.addInitializer(t);
    return name;
  }

  /**
   * Adds a node with a generated output name and returns that name.
   *
   * @param attributes name/value pairs; values are {@code Long}/{@code Integer} (int), {@code
   *     Float}/{@code Double} (float), {@code long[]} (ints) or {@code String}
   */
  public String node(String op, String[] inputs, Object... attributes) {
    return nodeNamed(op, op.toLowerCase(java.util.Locale.ROOT) + "_" + counter++, inputs,
        attributes);
  }

  /** As {@link #node}, with a given output name (e.g. a graph output). */
  public String nodeNamed(String op, String output, String[] inputs, Object... attributes) {
    return nodeOutputs(op, new String[] {output}, inputs, attributes)[0];
  }

  /**
   * Adds a node with {@code count} outputs of generated names (e.g. {@code
   * DynamicQuantizeLinear}) and returns them in order.
   */
  public String[] nodeWithOutputs(String op, int count, String[] inputs, Object... attributes) {
    String base = op.toLowerCase(java.util.Locale.ROOT) + "_" + counter++;
    String[] outputs = new String[count];
    for (int i = 0; i < count; i++) {
      outputs[i] = base + "_" + i;
    }
    return nodeOutputs(op, outputs, inputs, attributes);
  }

  private String[] nodeOutputs(String op, String[] outputs, String[] inputs,
      Object... attributes) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(outputs[0] + "_node");

    for (String out : outputs) {
      n.addOutput(out);
    }
    for (String in : inputs) {
      n.addInput(in);
    }
    for (int i = 0; i + 1 < attributes.length; i += 2) {
      AttributeProto.Builder a = AttributeProto.newBuilder().setName((String) attributes[i]);
      Object v = attributes[i + 1];
      if (v instanceof Integer || v instanceof Long) {
        a.setType(AttributeProto.AttributeType.INT).setI(((Number) v).longValue());
      } else if (v instanceof Float || v instanceof Double) {
        a.setType(AttributeProto.AttributeType.FLOAT).setF(((Number) v).floatValue());
      } else if (v instanceof long[] ls) {
        a.setType(AttributeProto.AttributeType.INTS);
        for (long l : ls) {
          a.addInts(l);
        }
      } else if (v instanceof String s) {
        a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
      } else {
        throw new InvalidInputException("unsupported attribute value " + v + " for " + op);
      }
      n.addAttribute(a);
    }
    graph.addNode(n);
    return outputs;
  }

  /** The serialised model: this graph, opset {@value #OPSET}, and the given metadata. */
  public byte[] toBytes(Map<String, String> metadata) {
    ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION)
        .setProducerName("neuroseg").setModelVersion(1)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setGraph(graph);
    new TreeMap<>(metadata).forEach((k, v) ->
        m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return m.build().toByteArray();
  }
}
