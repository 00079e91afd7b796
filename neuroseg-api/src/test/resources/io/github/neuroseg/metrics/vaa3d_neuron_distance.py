#!/usr/bin/env python3
"""Reference values of Vaa3D's neuron distance (ESA, DSA, PDS) for ReconstructionMetricsTest.

Writes pairs of SWC files (cases/<name>-ref.swc, cases/<name>-pred.swc) and the scores of each
pair at two thresholds (neuron-distance.csv), computed here with numpy from the definition of
Vaa3D's neuron_distance plugin (neuron_sim_scores: neuron_score_rounding_nearest_neighbor),
brute force, independently of the Java code:

- sample points: for every node with a parent (in file order), the segment node -> parent of
  length len gives N = int(1 + len + 0.5) points node + j * (parent - node) / (N - 1),
  j = 0 .. N-1 (the node alone when N <= 1);
- distance of a point to a tree: the minimum over the tree's parent-child segments of the
  point-to-segment distance (the projection when it falls inside the segment, else the nearer
  end point);
- a point is far when its distance is >= the threshold;
- ESA = mean of the two directed mean distances; DSA = mean of the two directed means of the far
  distances (one direction alone when the other has none, 0 when neither has); PDS = mean of the
  two one-way fractions of far points.

Neuron 1 is the reference. Usage (from this folder): python3 vaa3d_neuron_distance.py
"""

import csv
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
THRESHOLDS = (2.0, 3.5)


def write_swc(path, nodes, comment):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("# " + comment + "\n")
        for n in nodes:
            i, t, x, y, z, r, p = n
            f.write("%d %d %r %r %r %r %d\n" % (i, t, float(x), float(y), float(z), float(r), p))


def read_swc(path):
    nodes = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            c = line.split()
            nodes.append((int(c[0]), int(c[1]), float(c[2]), float(c[3]), float(c[4]),
                          float(c[5]), int(c[6])))
    return nodes


def segments(nodes):
    """(start, end) arrays of the segments node -> parent, in file order."""
    pos = {n[0]: np.array(n[2:5]) for n in nodes}
    a, b = [], []
    for n in nodes:
        if n[6] < 0:
            continue
        a.append(pos[n[0]])
        b.append(pos[n[6]])
    return np.array(a), np.array(b)


def samples(nodes):
    a, b = segments(nodes)
    pts = []
    for p1, p2 in zip(a, b):
        length = np.sqrt(np.sum((p1 - p2) ** 2))
        n = int(1 + length + 0.5)
        if n <= 1:
            pts.append(p1)
            continue
        step = (p2 - p1) * (1.0 / (n - 1))
        for j in range(n):
            pts.append(p1 + step * j)
    return np.array(pts)


def distances(points, nodes):
    """Distance from every point to the nearest segment of the tree, brute force."""
    a, b = segments(nodes)
    out = np.empty(len(points))
    for k, p0 in enumerate(points):
        d12 = b - a
        v12 = np.sum(d12 * d12, axis=1)
        d01 = p0 - a
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.sum(d12 * d01, axis=1) / v12
        ends = np.minimum(np.sqrt(np.sum((p0 - a) ** 2, axis=1)),
                          np.sqrt(np.sum((p0 - b) ** 2, axis=1)))
        inside = (v12 > 0) & (t >= 0) & (t <= 1)
        proj = a + d12 * np.where(inside, t, 0)[:, None]
        perp = np.sqrt(np.sum((proj - p0) ** 2, axis=1))
        d = np.where(inside, perp, ends)
        d = np.where(v12 == 0, np.sqrt(np.sum((p0 - a) ** 2, axis=1)), d)
        out[k] = d.min()
    return out


def scores(ref, pred, threshold):
    s1, s2 = samples(ref), samples(pred)
    d12 = distances(s1, pred)
    d21 = distances(s2, ref)
    far12 = d12[d12 >= threshold]
    far21 = d21[d21 >= threshold]
    esa12 = d12.mean()
    esa21 = d21.mean()
    if len(far12) and len(far21):
        dsa = (far12.mean() + far21.mean()) / 2
    elif len(far12):
        dsa = far12.mean()
    elif len(far21):
        dsa = far21.mean()
    else:
        dsa = 0.0
    pds12 = len(far12) / len(d12)
    pds21 = len(far21) / len(d21)
    return dict(esa=(esa12 + esa21) / 2, dsa=dsa, pds=(pds12 + pds21) / 2, esa12=esa12,
                esa21=esa21, pds12=pds12, pds21=pds21, samples1=len(s1), samples2=len(s2))


# ------------------------------------------------------------------------------- the cases


def line(y, z, x0, x1, count, first_id=1):
    return [(first_id + i, 3, x0 + (x1 - x0) * i / (count - 1), y, z, 1.0,
             -1 if i == 0 else first_id + i - 1) for i in range(count)]


def walk(rng, count, step, start, branch_odds=6, first_id=1):
    """A random walk that sometimes branches off an earlier node."""
    nodes = []
    x = np.array(start, dtype=float)
    for i in range(count):
        parent = -1 if i == 0 else (nodes[rng.integers(0, i)][0] if rng.integers(0, branch_odds) == 0
                                    else nodes[i - 1][0])
        if parent >= 0 and parent != nodes[i - 1][0]:
            x = np.array(next(n for n in nodes if n[0] == parent)[2:5])
        x = x + rng.normal(0, step, 3)
        nodes.append((first_id + i, 3, x[0], x[1], x[2], 1.0, parent))
    return nodes


def jitter(rng, nodes, sigma):
    return [(i, t, x + rng.normal(0, sigma), y + rng.normal(0, sigma), z + rng.normal(0, sigma), r,
             p) for (i, t, x, y, z, r, p) in nodes]


def shuffled(rng, nodes):
    order = rng.permutation(len(nodes))
    return [nodes[k] for k in order]


def cases():
    rng = np.random.default_rng(20260512)
    out = {}
    # parallel lines exactly 2 apart: every distance equals the default threshold (far: >=)
    out["parallel"] = (line(0, 0, 0, 50, 6), line(2, 0, 0, 50, 11))
    # a branched reference; the prediction jitters it, loses its last 40 nodes, gains a spur
    ref = walk(rng, 160, 1.8, (20, 20, 10))
    pred = jitter(rng, ref[:120], 0.6)
    tip = pred[-1]
    spur = [(1000 + k, 2, tip[2] + 1.3 * (k + 1), tip[3] - 0.9 * (k + 1), tip[4] + 0.2 * k, 1.0,
             tip[0] if k == 0 else 1000 + k - 1) for k in range(12)]
    out["branched"] = (ref, pred + spur)
    # forests in shuffled order with sparse ids, a lone root, a zero-length segment, short
    # segments (len < 0.5: one sample point) and long ones
    a = walk(rng, 70, 2.5, (0, 0, 0), first_id=10)
    b = walk(rng, 40, 0.35, (30, 5, 2), branch_odds=4, first_id=500)
    lone = [(9000, 1, 12.0, -8.0, 3.0, 2.0, -1)]
    dup = [(9100, 3, b[-1][2], b[-1][3], b[-1][4], 1.0, b[-1][0])]
    longseg = [(9200, 3, a[5][2] + 25.0, a[5][3] - 17.5, a[5][4] + 9.25, 1.0, a[5][0])]
    ref = shuffled(rng, a + b + lone + dup + longseg)
    pa = jitter(rng, a[:60], 1.1)
    pb = jitter(rng, walk(rng, 30, 0.4, (31, 6, 2), first_id=700), 0.2)
    pred = shuffled(rng, pa + pb + [(9500, 1, 60.0, 60.0, 0.0, 1.0, -1)])
    out["forest"] = (ref, pred)
    # a prediction that is an exact part of the reference: only one direction has far points
    ref = walk(rng, 90, 1.5, (5, 5, 5))
    out["subset"] = (ref, ref[:50])
    # a shifted and scaled copy: most points far in both directions
    ref = walk(rng, 80, 2.0, (0, 0, 0))
    pred = [(i, t, 1.05 * x + 2.6, 0.95 * y - 1.7, z + 0.8, r, p) for (i, t, x, y, z, r, p) in ref]
    out["shifted"] = (ref, pred)
    return out


def main():
    folder = os.path.join(HERE, "cases")
    os.makedirs(folder, exist_ok=True)
    rows = []
    for name, (ref, pred) in cases().items():
        rp = os.path.join(folder, name + "-ref.swc")
        pp = os.path.join(folder, name + "-pred.swc")
        write_swc(rp, ref, "neuron distance test case '%s', reference (vaa3d_neuron_distance.py)"
                  % name)
        write_swc(pp, pred, "neuron distance test case '%s', prediction" % name)
        # scores from the files as written, so that both sides read the same numbers
        r, p = read_swc(rp), read_swc(pp)
        for thr in THRESHOLDS:
            s = scores(r, p, thr)
            rows.append([name, repr(thr)] + [repr(float(s[k])) for k in
                                             ("esa", "dsa", "pds", "esa12", "esa21", "pds12",
                                              "pds21")]
                        + [s["samples1"], s["samples2"]])
    with open(os.path.join(HERE, "neuron-distance.csv"), "w", newline="\n") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["case", "threshold", "esa", "dsa", "pds", "esa_ref_to_pred", "esa_pred_to_ref",
                    "pds_ref_to_pred", "pds_pred_to_ref", "ref_samples", "pred_samples"])
        w.writerows(rows)


if __name__ == "__main__":
    main()
