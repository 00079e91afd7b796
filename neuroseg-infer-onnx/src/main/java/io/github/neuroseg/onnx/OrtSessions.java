package io.github.neuroseg.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.github.neuroseg.Device;
import io.github.neuroseg.DeviceException;
import io.github.neuroseg.ModelException;
import io.github.neuroseg.NeuroSegException;
import io.github.neuroseg.NeuroSegIOException;
import io.github.neuroseg.internal.Quote;
import io.github.neuroseg.model.ModelContract;
import io.github.neuroseg.segmentation.ModelSource;
import io.github.neuroseg.segmentation.SegmenterConfig;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens ONNX Runtime sessions for a segmenter: reads the model, places it on the requested
 * device (falling back to the CPU with one warning, or failing in strict mode) and checks the
 * model's signature and metadata against the {@link ModelContract}.
 */
final class OrtSessions {
  private static final Logger LOG = LoggerFactory.getLogger(OrtSessions.class);

  private OrtSessions() {}

  /**
   * An open session with its contract and the device it really runs on.
   *
   * @param session the session; the caller owns it and closes it
   * @param contract what the model promises
   * @param device the requested device, or the CPU after a fallback
   */
  record Opened(OrtSession session, ModelContract contract, Device device) {}

  /**
   * Loads the model of {@code config} and prepares a session.
   *
   * @throws ModelException when the model is not ONNX or breaks the {@link ModelContract}
   * @throws NeuroSegIOException when the model file cannot be read
   * @throws DeviceException when CUDA was requested in strict mode and cannot be used
   */
  static Opened open(OrtEnvironment env, SegmenterConfig config) {
    ModelSource src = config.model();
    if (src instanceof ModelSource.File f && Files.isDirectory(f.path())) {
      throw new ModelException("model " + f.path() + " is a folder, not an ONNX model file (a"
          + " bioimage.io package folder holds an rdf.yaml, read with BioImageIo.segmenter)");
    }
    if (src instanceof ModelSource.File f && !Files.isReadable(f.path())) {
      String why = Files.exists(f.path()) ? "not readable" : "no such file";
      throw new NeuroSegIOException("cannot read model file " + f.path() + " (" + why + ")",
          new java.io.FileNotFoundException(f.path() + ": " + why));
    }
    Device device = config.device();
    OrtSession session = null;
    if (device instanceof Device.Cuda cuda) {
      try {
        session = openCuda(env, src, config, cuda);
      } catch (ModelException e) {
        throw e; // a broken model is not a device problem
      } catch (OrtException | RuntimeException | LinkageError e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage().strip();
        if (config.strictDevice()) {
          throw new DeviceException("device " + cuda + " was requested in strict mode but "
              + "ONNX Runtime's CUDA execution provider cannot be used: " + why, e);
        }
        LOG.warn("device {} requested but ONNX Runtime's CUDA execution provider cannot be used "
            + "({}); running on the CPU instead. Use the com.microsoft.onnxruntime:"
            + "onnxruntime_gpu artifact (instead of onnxruntime) with a matching CUDA and cuDNN "
            + "installation, or request Device.cpu() to silence this warning.", cuda, why);
        device = Device.cpu();
      }
    }
    if (session == null) {
      try (OrtSession.SessionOptions opts = options(config)) {
        session = create(env, src, opts);
      } catch (OrtException e) {
        throw notOnnx(src, e);
      }
    }
    try {
      ModelContract contract = ModelContract.check(src.label(),
          session.getMetadata().getCustomMetadata(), shapes(src, session.getInputInfo()),
          shapes(src, session.getOutputInfo()));
      return new Opened(session, contract, device);
    } catch (OrtException | RuntimeException e) {
      closeQuietly(session);
      if (e instanceof NeuroSegException ne) {
        throw ne;
      }
      throw new ModelException("cannot read the signature of model " + src.label() + ": "
          + e.getMessage(), e);
    }
  }

  private static OrtSession openCuda(OrtEnvironment env, ModelSource src, SegmenterConfig config,
      Device.Cuda cuda) throws OrtException {
    if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
      throw new DeviceException("this ONNX Runtime build has no CUDA execution provider "
          + "(providers: " + OrtEnvironment.getAvailableProviders() + ")");
    }
    try (OrtSession.SessionOptions opts = options(config)) {
      opts.addCUDA(cuda.id());
      // a broken model must be reported as such, not as a device problem: check it on the CPU
      // first only when opening on CUDA fails
      try {
        return create(env, src, opts);
      } catch (OrtException e) {
        try (OrtSession.SessionOptions cpu = options(config);
            OrtSession probe = create(env, src, cpu)) {
          probe.getInputInfo();
        } catch (OrtException modelBroken) {
          throw notOnnx(src, modelBroken);
        }
        throw e;
      }
    }
  }

  private static OrtSession.SessionOptions options(SegmenterConfig config) throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    o.setIntraOpNumThreads(threads(config));
    o.setInterOpNumThreads(1);
    return o;
  }

  /** The intra-op threads of a config: its own, or the default for this machine. */
  static int threads(SegmenterConfig config) {
    return config.threads() > 0 ? config.threads()
        : SegmenterConfig.defaultThreads(Runtime.getRuntime().availableProcessors());
  }

  private static OrtSession create(OrtEnvironment env, ModelSource src,
      OrtSession.SessionOptions opts) throws OrtException {
    if (src instanceof ModelSource.File f) {
      return env.createSession(f.path().toString(), opts);
    }
    return env.createSession(((ModelSource.Bytes) src).content(), opts);
  }

  private static ModelException notOnnx(ModelSource src, OrtException e) {
    return new ModelException("model " + src.label() + " is not a valid ONNX model that ONNX "
        + "Runtime can load: " + e.getMessage(), e);
  }

  private static Map<String, long[]> shapes(ModelSource src, Map<String, NodeInfo> infos) {
    Map<String, long[]> m = new LinkedHashMap<>();
    infos.forEach((name, info) -> {
      if (!(info.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
        throw new ModelException("model " + src.label() + ": " + Quote.quote(name)
            + " must be a float32 tensor, got " + info.getInfo());
      }
      m.put(name, t.getShape());
    });
    return m;
  }

  static void closeQuietly(OrtSession s) {
    try {
      s.close();
    } catch (OrtException | RuntimeException e) {
      LOG.debug("closing an ONNX Runtime session failed", e);
    }
  }
}
