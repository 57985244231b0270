package dev.maskseg.bench;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.ops.Norm;
import dev.maskseg.engine.optim.ParamGroup;
import dev.maskseg.engine.optim.Sgd;
import dev.maskseg.pipeline.loss.HardPixelCrossEntropy;
import dev.maskseg.pipeline.loss.MaskContrastLoss;
import dev.maskseg.pipeline.train.ResNetInit;
import dev.maskseg.zoo.Ema;
import dev.maskseg.zoo.deeplab.SegmentationModel;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import java.util.List;

/**
 * The training-step cases, the one list that both {@code maskseg bench train} ({@link TrainBench}) and the JMH suite
 * ({@link TrainBenchmarks}) time, with random weights and data; {@code bench/peer_models.py} runs the same steps in
 * PyTorch. Each call is forward + backward + the SGD update:
 * <ul>
 * <li>MaskContrast (docs/methods.md §2.5): the query encoder (dilated ResNet-50 + DeepLab decoder, 32-d embedding and
 * saliency heads) on 2x3x224², the momentum update of the key encoder, the key forward without gradients, the loss
 * against a queue of 256, SGD (momentum 0.9, weight decay 1e-4) on every query parameter;</li>
 * <li>MaskDistill (§3.6): DeepLab-v3 (21 classes) on 2x3x321² with conv1..layer2 frozen (their batch norms in eval
 * mode), hard-pixel-mining cross-entropy (fraction 0.2), SGD on the rest.</li>
 * </ul>
 */
public final class TrainCases {
    private TrainCases() {}

    public static List<ModelCases.Case> all() {
        return List.of(
                new ModelCases.Case("maskcontrast-step", "maskcontrast_resnet50", "2x3x224x224", "train step", 2, TrainCases::maskContrast),
                new ModelCases.Case("maskdistill-step", "deeplabv3_resnet50", "2x3x321x321", "train step", 2, TrainCases::maskDistill));
    }

    public static ModelCases.Case byId(String id) {
        return all().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown train case '" + id + "'; known: " + all().stream().map(ModelCases.Case::id).toList()));
    }

    private static Runnable maskContrast(Backend be) {
        int batch = 2, size = 224;
        MaskContrastModel query = new MaskContrastModel(32, new Generator(1)), key = new MaskContrastModel(32, new Generator(1));
        query.to(be);
        key.to(be);
        Ema.copy(query, key);
        Sgd sgd = new Sgd(List.of(new ParamGroup(query.parameters(), 0.004, 1e-4)), 0.9, false);
        Generator g = new Generator(2);
        Tensor imq = Tensor.randn(g, batch, 3, size, size).to(be), imk = Tensor.randn(g, batch, 3, size, size).to(be);
        Tensor mask = disc(batch, size).to(be);
        Tensor queue = Norm.normalize(Tensor.randn(g, 32, 256), 0, 1e-12).to(be);
        return () -> {
            query.train(true);
            MaskContrastModel.Output oq = query.run(imq);
            Ema.update(query, key, 0.999);
            MaskContrastModel.Output ok;
            try (var ng = GradMode.noGrad()) {
                key.train(true);
                ok = key.run(imk);
            }
            MaskContrastLoss.Result r = MaskContrastLoss.compute(oq.embedding(), oq.saliency(), mask, ok.embedding().detach(), mask, queue, 0.5);
            sgd.zeroGrad();
            r.total().backward();
            sgd.step();
        };
    }

    private static Runnable maskDistill(Backend be) {
        int batch = 2, size = 321, classes = 21;
        SegmentationModel model = new SegmentationModel("head", classes, new Generator(1));
        model.to(be);
        ResNetInit.freezeEarlyStages(model.backbone, "maskdistill");
        List<Tensor> trainable = model.parameters().stream().filter(Tensor::requiresGrad).toList();
        Sgd sgd = new Sgd(List.of(new ParamGroup(trainable, 0.002, 1e-4)), 0.9, false);
        Generator g = new Generator(2);
        Tensor x = Tensor.randn(g, batch, 3, size, size).to(be);
        long[] labels = new long[batch * size * size];
        for (int i = 0; i < labels.length; i++) labels[i] = g.nextInt(classes);
        Tensor target = Tensor.ofLongs(labels, batch, size, size).to(be);
        return () -> {
            model.train(true);
            ResNetInit.keepEarlyStagesInEval(model.backbone);
            Tensor loss = HardPixelCrossEntropy.compute(model.forward(x), target, 0.2);
            sgd.zeroGrad();
            loss.backward();
            sgd.step();
        };
    }

    /** A centred disc of radius size/4 in every image: a salient object covering about 20% of the view. */
    private static Tensor disc(int batch, int size) {
        float[] m = new float[batch * size * size];
        for (int b = 0; b < batch; b++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double dy = y - size / 2.0, dx = x - size / 2.0;
                    m[(b * size + y) * size + x] = dy * dy + dx * dx < size * size / 16.0 ? 1f : 0f;
                }
            }
        }
        return Tensor.of(m, batch, size, size);
    }
}
