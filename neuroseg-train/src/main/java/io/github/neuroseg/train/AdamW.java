package io.github.neuroseg.train;

import io.github.neuroseg.model.FloatTensor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (decoupled weight decay) with a per-parameter learning-rate factor. Weight decay applies
 * to matrices and kernels only, not to biases, norms, the class token or position embeddings.
 * Updates run outside gradient recording; gradients are zeroed afterwards.
 */
final class AdamW implements AutoCloseable {
  static final float BETA1 = 0.9f;
  static final float BETA2 = 0.999f;
  static final float EPS = 1e-8f;
  private final NDManager manager;
  private final Map<String, NDArray> m = new LinkedHashMap<>();
  private final Map<String, NDArray> v = new LinkedHashMap<>();
  private long step;

  AdamW(Map<String, NDArray> params) {
    // the moments live where the parameters do (the CPU or a GPU)
    this.manager = NDManager.newBaseManager(params.isEmpty() ? ai.djl.Device.cpu()
        : params.values().iterator().next().getDevice(), "PyTorch");
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      m.put(e.getKey(), manager.zeros(e.getValue().getShape()));
      v.put(e.getKey(), manager.zeros(e.getValue().getShape()));
    }
  }

  static boolean decays(String name, NDArray p) {
    return p.getShape().dimension() >= 2 && !name.equals("pos_embed") && !name.equals("cls_token")
        && !name.equals("reg_token");
  }

  /** One update; {@code lrFactor} gives each parameter's share of {@code lr}. */
  void step(Map<String, NDArray> params, double lr, double weightDecay,
      java.util.function.ToDoubleFunction<String> lrFactor) {
    step++;
    double bc1 = 1 - Math.pow(BETA1, step);
    double bc2 = 1 - Math.pow(BETA2, step);
    try (NDManager scope = manager.newSubManager()) {
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        NDArray p = e.getValue();
        NDArray g = p.getGradient();
        g.attach(scope);
        double plr = lr * lrFactor.applyAsDouble(e.getKey());
        NDArray mm = m.get(e.getKey());
        NDArray vv = v.get(e.getKey());
        mm.muli(BETA1).addi(g.mul(1 - BETA1));
        vv.muli(BETA2).addi(g.square().muli(1 - BETA2));
        NDArray mhat = mm.div(bc1);
        mhat.attach(scope);
        NDArray vhat = vv.div(bc2);
        vhat.attach(scope);
        NDArray update = mhat.div(vhat.sqrt().add(EPS)).muli(plr);
        if (weightDecay > 0 && decays(e.getKey(), p)) {
          p.muli((float) (1 - plr * weightDecay));
        }
        p.subi(update);
        g.subi(g);
      }
    }
  }

  long steps() {
    return step;
  }

  /** The moment estimates for a checkpoint, named {@code adamw.m.<param>} / {@code adamw.v.<param>}. */
  Map<String, FloatTensor> state() {
    Map<String, FloatTensor> s = new LinkedHashMap<>();
    for (String k : m.keySet()) {
      s.put("adamw.m." + k, FloatTensor.of(m.get(k).getShape().getShape(),
          m.get(k).toFloatArray()));
      s.put("adamw.v." + k, FloatTensor.of(v.get(k).getShape().getShape(),
          v.get(k).toFloatArray()));
    }
    return s;
  }

  /** Restores moments and the step count from {@link #state()}. */
  void restore(Map<String, FloatTensor> s, long steps) {
    for (String k : m.keySet()) {
      m.get(k).set(s.get("adamw.m." + k).values());
      v.get(k).set(s.get("adamw.v." + k).values());
    }
    this.step = steps;
  }

  @Override
  public void close() {
    manager.close();
  }
}
