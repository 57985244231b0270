package dev.maskseg.bench.peers;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * bench TrainCases' two steps in DJL: the TorchScript trace of everything up to the loss (tools/export_onnx.py; for
 * MaskContrast that includes the momentum update of the key encoder and its forward), DJL's gradient collector for
 * backward (libtorch autograd), and DJL's SGD optimizer (momentum 0.9, weight decay 1e-4; DJL's native update keeps
 * lr x the momentum buffer, which equals PyTorch's SGD at a fixed learning rate) on every trainable parameter. Frozen:
 * MaskDistill's conv1..layer2 (their batch norms are traced in eval mode) and MaskContrast's key encoder.
 */
final class DjlTrainSteps {
    /** A case: bench id, the exported trace, the record's model and shape, lr, the frozen parameter-name prefixes. */
    record Case(String id, String file, String model, String shape, float lr, List<String> frozen) {}

    static final List<Case> CASES = List.of(
            new Case("maskcontrast-step", "maskcontrast_step_2x3x224x224", "maskcontrast_resnet50", "2x3x224x224", 0.004f, List.of("key.")),
            new Case("maskdistill-step", "maskdistill_step_2x3x321x321", "deeplabv3_resnet50", "2x3x321x321", 0.002f,
                    List.of("model.backbone.conv1.", "model.backbone.bn1.", "model.backbone.layer1.", "model.backbone.layer2.")));

    private DjlTrainSteps() {}

    static List<Map<String, Object>> run(DjlPeer djl, Path dir, boolean quick, List<String> only) throws IOException, MalformedModelException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Case c : CASES) {
            if (!only.isEmpty() && !only.contains(c.id())) continue;
            if (!Files.exists(dir.resolve(c.file() + ".pt"))) {
                JvmPeersMain.note("djl: " + dir.resolve(c.file() + ".pt") + " missing (run tools/export_onnx.py); " + c.id() + " skipped");
                continue;
            }
            PtSymbolBlock block = djl.load(dir, c.file(), true);
            NDList inputs = inputs(djl, c);
            Step step = step(djl, block, c.frozen(), c.lr(), inputs);
            double before = PeerRecords.statusMb("VmRSS");
            // bench/peer_cases.py's memory: the peak of the first step (no gradients during its forward, momentum buffers
            // made at its end) and of the second (both alive throughout, as in every later step), VmHWM reset before each
            double[] peaks = new double[2];
            for (int i = 0; i < 2; i++) {
                if (!PeerRecords.resetRssPeak() && i == 0) {
                    JvmPeersMain.note("djl: cannot reset VmHWM; " + c.id() + " peaks are the process's lifetime peak");
                }
                step.call().run();
                peaks[i] = PeerRecords.statusMb("VmHWM");
            }
            JvmPeersMain.note("djl: " + c.id() + ": " + step.trainable() + " trainable parameters, " + step.frozen() + " frozen");
            PeerTiming.Result t = PeerTiming.time(step.call(), quick, quick ? 0 : 5_000_000_000L);
            out.add(PeerRecords.train(c.model(), c.shape(), djl.peer, t, peaks, before));
            inputs.close();
            block.close();
        }
        return out;
    }

    /** One training step as a call, and how many parameters it trains and leaves frozen. */
    record Step(Runnable call, int trainable, int frozen) {}

    /**
     * Forward (the trace, in training mode: autograd on) to a scalar loss, backward, DJL's SGD update (momentum 0.9,
     * weight decay 1e-4, fixed lr) of every parameter whose name starts with none of the frozen prefixes; those are
     * frozen (no gradient, never updated). Fails when no parameter matches a frozen prefix.
     */
    static Step step(DjlPeer djl, PtSymbolBlock block, List<String> frozenPrefixes, float lr, NDList inputs) {
        List<Pair<String, Parameter>> trainable = new ArrayList<>();
        int frozen = 0;
        for (Pair<String, Parameter> p : DjlPeer.named(block)) {
            boolean freeze = frozenPrefixes.stream().anyMatch(p.getKey()::startsWith);
            p.getValue().freeze(freeze);
            if (freeze) frozen++;
            else trainable.add(p);
        }
        if (frozen == 0) throw new IllegalStateException("no parameter matched the frozen prefixes " + frozenPrefixes);
        Optimizer sgd = Optimizer.sgd().setLearningRateTracker(Tracker.fixed(lr)).optMomentum(0.9f).optWeightDecays(1e-4f).build();
        ParameterStore ps = new ParameterStore(djl.manager, false);
        Runnable call = () -> {
            try (GradientCollector gc = djl.engine.newGradientCollector(); NDManager step = djl.manager.newSubManager()) {
                NDList loss = block.forward(ps, inputs, true);
                loss.attach(step);
                gc.backward(loss.singletonOrThrow());
            }
            for (Pair<String, Parameter> p : trainable) {
                NDArray w = p.getValue().getArray();
                try (NDArray g = w.getGradient()) {
                    sgd.update(p.getKey(), w, g);   // also clears the gradient
                }
            }
        };
        return new Step(call, trainable.size(), frozen);
    }

    private static NDList inputs(DjlPeer djl, Case c) {
        NDManager m = djl.manager;
        if (c.id().equals("maskdistill-step")) {
            return new NDList(djl.random(2, 3, 321, 321), m.randomInteger(0, 21, new Shape(2, 321, 321), DataType.INT64));
        }
        int size = 224;
        float[] disc = new float[2 * size * size];
        for (int b = 0; b < 2; b++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double dy = y - size / 2.0, dx = x - size / 2.0;
                    disc[(b * size + y) * size + x] = dy * dy + dx * dx < size * size / 16.0 ? 1f : 0f;
                }
            }
        }
        NDArray mask = m.create(disc, new Shape(2, size, size));
        NDArray queue = djl.random(32, 256);
        NDArray unit = queue.div(queue.norm(new int[]{0}, true));
        queue.close();
        return new NDList(djl.random(2, 3, size, size), djl.random(2, 3, size, size), mask, mask.duplicate(), unit);
    }
}
