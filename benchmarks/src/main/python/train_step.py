"""Times the training step of neuroseg's 3D ViT written directly in PyTorch.

The reference side of scripts/bench-train: the network (patch Conv3d, class token and position
embedding, pre-norm blocks with exact GELU, final norm, the convolutional decoder with the skip
from the centre slice), the loss (mean BCE on logits + 1 - soft Dice) and AdamW (betas 0.9/0.999,
eps 1e-8, decoupled weight decay on matrices and kernels only) as neuroseg's trainer defines them,
built from the architecture JSON that TrainStepBenchmark writes. Random blocks with about 1 %
foreground stand in for sampled ones (sampling is not timed here; it is in neuroseg's step).

Usage: python3 train_step.py ARCH.json THREADS
Last line: BENCH train_step torch_blocks_s=<x> steps=<n> batch=<b>
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


class Net(torch.nn.Module):
    def __init__(self, a):
        super().__init__()
        self.a = a
        self.p = torch.nn.ParameterDict()
        for name, shape in a["shapes"].items():
            t = torch.randn(*shape) * 0.02
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") \
                    or name == "norm.weight":
                t = torch.ones(*shape)
            self.p[name.replace(".", "_")] = torch.nn.Parameter(t)

    def w(self, name):
        return self.p[name.replace(".", "_")]

    def forward(self, x):
        a = self.a
        e, p, d = a["embed"], a["patch"], a["depth"]
        n = x.shape[0]
        t = F.conv3d(x, self.w("patch_embed.proj.weight"), self.w("patch_embed.proj.bias"),
                     stride=(d, p, p))
        gh, gw = t.shape[-2], t.shape[-1]
        t = t.reshape(n, e, -1).transpose(1, 2)
        t = torch.cat([self.w("cls_token").expand(n, -1, -1), t], 1) + self.w("pos_embed")
        heads = a["heads"]
        hd = e // heads
        for i in range(a["layers"]):
            b = "blocks.%d." % i
            h = F.layer_norm(t, (e,), self.w(b + "norm1.weight"), self.w(b + "norm1.bias"), 1e-6)
            qkv = F.linear(h, self.w(b + "attn.qkv.weight"), self.w(b + "attn.qkv.bias"))
            qkv = qkv.reshape(n, -1, 3, heads, hd).permute(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            att = (q @ k.transpose(-2, -1) / hd ** 0.5).softmax(-1) @ v
            att = att.transpose(1, 2).reshape(n, -1, e)
            t = t + F.linear(att, self.w(b + "attn.proj.weight"), self.w(b + "attn.proj.bias"))
            h = F.layer_norm(t, (e,), self.w(b + "norm2.weight"), self.w(b + "norm2.bias"), 1e-6)
            h = F.gelu(F.linear(h, self.w(b + "mlp.fc1.weight"), self.w(b + "mlp.fc1.bias")))
            t = t + F.linear(h, self.w(b + "mlp.fc2.weight"), self.w(b + "mlp.fc2.bias"))
        t = F.layer_norm(t, (e,), self.w("norm.weight"), self.w("norm.bias"), 1e-6)[:, 1:]
        f = t.transpose(1, 2).reshape(n, e, gh, gw)
        fu = a["first_upsampling"]
        f = F.relu(F.conv_transpose2d(f, self.w("head.proj.weight"), self.w("head.proj.bias"),
                                      stride=fu))
        for i in range(1, a["decoder_stages"] + 1):
            f = F.relu(F.conv_transpose2d(f, self.w("head.up%d.weight" % i),
                                          self.w("head.up%d.bias" % i), stride=2))
            f = F.relu(F.conv2d(f, self.w("head.conv%d.weight" % i), self.w("head.conv%d.bias" % i),
                                padding=1))
        centre = x[:, :, d // 2]
        skip = F.relu(F.conv2d(centre, self.w("head.skip.weight"), self.w("head.skip.bias"),
                               padding=1))
        f = F.relu(F.conv2d(torch.cat([f, skip], 1), self.w("head.fuse.weight"),
                            self.w("head.fuse.bias"), padding=1))
        return F.conv2d(f, self.w("head.out.weight"), self.w("head.out.bias"))


def loss_fn(z, y):
    bce = F.binary_cross_entropy_with_logits(z, y)
    p = torch.sigmoid(z)
    dice = (2 * (p * y).sum() + 1) / (p.sum() + y.sum() + 1)
    return bce + 1 - dice


def main():
    a = json.load(open(sys.argv[1]))
    threads = int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net = Net(a)
    decay = [q for k, q in net.p.items()
             if q.dim() >= 2 and k not in ("pos_embed", "cls_token", "reg_token")]
    rest = [q for k, q in net.p.items()
            if not (q.dim() >= 2 and k not in ("pos_embed", "cls_token", "reg_token"))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a["weight_decay"]},
                             {"params": rest, "weight_decay": 0.0}], lr=a["lr"],
                            betas=(0.9, 0.999), eps=1e-8)
    b, steps, warm = a["batch"], a["steps"], a["warmup"]
    x = torch.randn(b, 1, a["depth"], a["tile_h"], a["tile_w"])
    y = (torch.rand(b, 1, a["tile_h"], a["tile_w"]) < 0.01).float()
    start = None
    for s in range(1, steps + 1):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        if s == warm:
            start = time.perf_counter()
    seconds = time.perf_counter() - start
    rate = (steps - warm) * b / seconds
    print("PyTorch %s training step, %d thread(s): %.1f blocks/s (%d steps timed after %d "
          "warm-up)" % (torch.__version__, threads, rate, steps - warm, warm))
    print("BENCH train_step torch_blocks_s=%.2f steps=%d batch=%d" % (rate, steps - warm, b))


if __name__ == "__main__":
    main()
