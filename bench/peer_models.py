"""The benchmark models and training steps in plain torch.nn, for bench/peers.py and tools/export_onnx.py.

torchvision's builders are not used: the wheel in some environments cannot load its C ops, and these few classes are
all the benchmarks need. Shapes, parameter counts and layer order match the Java model zoo (torchvision's ResNet-50 v1.5,
DeepLab-v3 with ASPP 12/24/36, DINO's ViT-S/16, MaskContrast's model); weights are random.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Bottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride, dilation, downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, dilation, dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes * 4, 1, stride, bias=False),
                                        nn.BatchNorm2d(planes * 4)) if downsample else None

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet50(nn.Module):
    """torchvision's resnet50; dilate=(False, True, True) is replace_stride_with_dilation (output stride 8)."""

    def __init__(self, num_classes=1000, dilate=(False, False, False)):
        super().__init__()
        self.inplanes, self.dilation = 64, 1
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._layer(64, 3, 1, False)
        self.layer2 = self._layer(128, 4, 2, dilate[0])
        self.layer3 = self._layer(256, 6, 2, dilate[1])
        self.layer4 = self._layer(512, 3, 2, dilate[2])
        self.fc = nn.Linear(2048, num_classes) if num_classes else None
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def _layer(self, planes, blocks, stride, dilate):
        previous = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        down = stride != 1 or self.inplanes != planes * 4
        layers = [Bottleneck(self.inplanes, planes, stride, previous, down)]
        self.inplanes = planes * 4
        layers += [Bottleneck(self.inplanes, planes, 1, self.dilation, False) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return x if self.fc is None else self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class ASPP(nn.Module):
    def __init__(self, cin, rates=(12, 24, 36), out=256):
        super().__init__()
        branches = [nn.Sequential(nn.Conv2d(cin, out, 1, bias=False), nn.BatchNorm2d(out), nn.ReLU())]
        for r in rates:
            branches.append(nn.Sequential(nn.Conv2d(cin, out, 3, padding=r, dilation=r, bias=False), nn.BatchNorm2d(out), nn.ReLU()))
        branches.append(nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(cin, out, 1, bias=False), nn.BatchNorm2d(out), nn.ReLU()))
        self.convs = nn.ModuleList(branches)
        self.project = nn.Sequential(nn.Conv2d(len(branches) * out, out, 1, bias=False), nn.BatchNorm2d(out), nn.ReLU(), nn.Dropout(0.5))

    def forward(self, x):
        res = [c(x) for c in self.convs[:-1]]
        res.append(F.interpolate(self.convs[-1](x), size=x.shape[-2:], mode="bilinear", align_corners=False))
        return self.project(torch.cat(res, dim=1))


def decoder():
    """DeepLab head[0..3]: ASPP, 3x3 conv, BN, ReLU (MaskContrast's decoder)."""
    return nn.Sequential(ASPP(2048), nn.Conv2d(256, 256, 3, padding=1, bias=False), nn.BatchNorm2d(256), nn.ReLU())


class DeepLabV3(nn.Module):
    def __init__(self, num_classes=21):
        super().__init__()
        self.backbone = ResNet50(0, (False, True, True))
        self.classifier = nn.Sequential(*decoder(), nn.Conv2d(256, num_classes, 1))

    def forward(self, x):
        return F.interpolate(self.classifier(self.backbone(x)), size=x.shape[-2:], mode="bilinear", align_corners=False)


class MaskContrastModel(nn.Module):
    def __init__(self, ndim=32):
        super().__init__()
        self.backbone = ResNet50(0, (False, True, True))
        self.decoder = decoder()
        self.head = nn.Conv2d(256, ndim, 1)
        self.classification_head = nn.Conv2d(256, 1, 1, bias=False)

    def forward(self, x):
        f = self.decoder(self.backbone(x))
        size = x.shape[-2:]
        return (F.interpolate(self.head(f), size=size, mode="bilinear", align_corners=False),
                F.interpolate(self.classification_head(f), size=size, mode="bilinear", align_corners=False))


class ViTBlock(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(dim, eps=1e-6), nn.LayerNorm(dim, eps=1e-6)
        self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.fc1, self.fc2 = nn.Linear(dim, 4 * dim), nn.Linear(4 * dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(self.norm1(x)).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1) * (c // self.heads) ** -0.5).softmax(dim=-1)
        x = x + self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class ViT(nn.Module):
    """DINO's vision_transformer.py at ViT-S/16 sizes (no head): the tokens after the final norm."""

    def __init__(self, dim=384, depth=12, heads=6, patch=16, image=224):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, dim, patch, patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.randn(1, (image // patch) ** 2 + 1, dim) * 0.02)
        self.blocks = nn.ModuleList([ViTBlock(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x):
        t = self.patch_embed(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls_token.expand(t.shape[0], -1, -1), t], dim=1) + self.pos_embed
        for blk in self.blocks:
            t = blk(t)
        return self.norm(t)


# ---------------------------------------------------------------- training steps (docs/methods.md §2.5, §3.6)

def balanced_bce(logits, mask):
    total = mask.numel()
    w_pos = (total - mask.sum()) / total
    weight = mask * w_pos + (1 - mask) * (1 - w_pos)
    return F.binary_cross_entropy_with_logits(logits, mask, weight, reduction="sum") / total


def maskcontrast_loss(eq, sq, mq, ek, mk, queue, temperature=0.5):
    b, d, h, w = eq.shape
    sal = balanced_bce(sq.reshape(b, h, w), mq)
    q = F.normalize(eq, dim=1)
    k = F.normalize(ek.detach(), dim=1)
    protos = F.normalize((k * mk.reshape(b, 1, h, w)).sum(dim=(2, 3)), dim=1).detach()
    flat = mq.reshape(-1) > 0.5
    pixels = q.permute(0, 2, 3, 1).reshape(b * h * w, d)[flat]
    labels = (torch.arange(b * h * w) // (h * w))[flat]
    counts = torch.bincount(labels, minlength=b).double()
    keys = torch.cat([protos, queue.t()], dim=0)
    logits = pixels @ keys.t() / temperature
    weight = torch.ones(keys.shape[0])
    weight[:b] = (1.0 / torch.log(1.02 + counts / flat.sum())).float()
    return F.cross_entropy(logits, labels, weight=weight) + sal, protos


def hard_pixel_ce(logits, target, fraction=0.2):
    per = F.cross_entropy(logits, target, ignore_index=255, reduction="none").reshape(-1)
    k = min(int(fraction * target.numel()), int((target != 255).sum()))
    return per.topk(k).values.mean()


def sgd(params, lr, momentum=0.9, weight_decay=1e-4):
    # foreach=False: the per-parameter loop our Sgd also runs; torch's default on CPU
    return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)


class MaskContrastStep:
    """One MaskContrast step (§2.5): query forward, momentum update of the key encoder, key forward without
    gradients, the loss, backward and the SGD update. Batch 2 at 224², ndim 32, queue 256, nothing frozen."""

    def __init__(self, batch=2, size=224, ndim=32, queue=256):
        g = torch.Generator().manual_seed(1)
        self.query, self.key = MaskContrastModel(ndim).train(), MaskContrastModel(ndim).train()
        self.key.load_state_dict(self.query.state_dict())
        for p in self.key.parameters():
            p.requires_grad_(False)
        self.opt = sgd(self.query.parameters(), 0.004)
        self.imq, self.imk = torch.randn(batch, 3, size, size, generator=g), torch.randn(batch, 3, size, size, generator=g)
        yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
        disc = (((yy - size / 2) ** 2 + (xx - size / 2) ** 2) < (size / 4) ** 2).float()
        self.mq, self.mk = disc.expand(batch, size, size).contiguous(), disc.expand(batch, size, size).contiguous()
        self.queue = F.normalize(torch.randn(ndim, queue, generator=g), dim=0)

    def __call__(self):
        eq, sq = self.query(self.imq)
        with torch.no_grad():
            for pk, pq in zip(self.key.parameters(), self.query.parameters()):
                pk.mul_(0.999).add_(pq.detach(), alpha=0.001)
            for bk, bq in zip(self.key.buffers(), self.query.buffers()):
                bk.copy_(bq)
            ek, _ = self.key(self.imk)
        loss, _ = maskcontrast_loss(eq, sq, self.mq, ek, self.mk, self.queue)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()


class MaskDistillStep:
    """One MaskDistill step (§3.6): DeepLab-v3 with conv1..layer2 frozen (BN in eval there), hard-pixel-mining CE
    (fraction 0.2), backward and the SGD update. Batch 2 at 321², 21 classes."""

    def __init__(self, batch=2, size=321, classes=21):
        g = torch.Generator().manual_seed(1)
        self.model = DeepLabV3(classes).train()
        self.frozen = [self.model.backbone.conv1, self.model.backbone.bn1, self.model.backbone.layer1, self.model.backbone.layer2]
        for m in self.frozen:
            for p in m.parameters():
                p.requires_grad_(False)
        self.opt = sgd([p for p in self.model.parameters() if p.requires_grad], 0.002)
        self.x = torch.randn(batch, 3, size, size, generator=g)
        self.t = torch.randint(0, classes, (batch, size, size), generator=g)

    def __call__(self):
        self.model.train()
        for m in self.frozen:
            m.eval()
        loss = hard_pixel_ce(self.model(self.x), self.t)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
