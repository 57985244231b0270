package dev.maskseg.bench.peers;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DJL with its PyTorch engine (libtorch from the pytorch-native-cpu jar, never downloaded: -Dai.djl.offline=true):
 * the inference cases on the TorchScript traces of tools/export_onnx.py, DeepLab-v3 forward+backward (DJL's gradient
 * collector runs libtorch's autograd through the trace), and the kernels as DJL NDArray operations. Intra-op threads =
 * the thread count, inter-op 1, set before the engine starts (DJL's ai.djl.pytorch.num_threads properties).
 */
final class DjlPeer {
    private final int threads;
    final Map<String, Object> peer;
    final NDManager manager;
    final Engine engine;

    DjlPeer(int threads) {
        this.threads = threads;
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        if (!Boolean.getBoolean("ai.djl.offline")) {
            throw new IllegalStateException("DJL peer needs -Dai.djl.offline=true (libtorch from the native jar, no download)");
        }
        engine = Engine.getEngine("PyTorch");
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        String libtorch = LibUtils.getVersion();
        peer = PeerRecords.peer("djl-libtorch-" + libtorch, "DJL " + Engine.getDjlVersion() + ", libtorch " + libtorch, threads);
        peer.put("library", LibUtils.getLibtorchPath());
        peer.put("intra_op_threads", JniUtils.getNumThreads());
        peer.put("inter_op_threads", JniUtils.getNumInteropThreads());
        JvmPeersMain.note("djl: libtorch " + libtorch + " from " + LibUtils.getLibtorchPath() + ", intra-op " + JniUtils.getNumThreads()
                + ", inter-op " + JniUtils.getNumInteropThreads());
    }

    /** A TorchScript trace loaded as a DJL block; trainable: its parameters get gradients (DJL's trainParam). */
    PtSymbolBlock load(Path dir, String stem, boolean trainable) throws IOException, MalformedModelException {
        Model model = Model.newInstance(stem, Device.cpu(), "PyTorch");
        model.load(dir, stem, Map.of("trainParam", String.valueOf(trainable)));
        return (PtSymbolBlock) model.getBlock();
    }

    NDArray random(long... shape) {
        return manager.randomNormal(new Shape(shape));
    }

    List<Map<String, Object>> models(Path dir, boolean quick, List<String> only) throws IOException, MalformedModelException {
        List<Map<String, Object>> out = new ArrayList<>();
        ParameterStore ps = new ParameterStore(manager, false);
        for (OnnxRuntimePeer.Case c : OnnxRuntimePeer.MODELS) {
            if (!only.isEmpty() && !only.contains(c.file())) continue;
            if (!Files.exists(dir.resolve(c.file() + ".pt"))) {
                JvmPeersMain.note("djl: " + dir.resolve(c.file() + ".pt") + " missing (run tools/export_onnx.py); skipped");
                continue;
            }
            PtSymbolBlock block = load(dir, c.file(), false);
            NDList x = new NDList(random(OnnxRuntimePeer.shape(c.shape())));
            Runnable call = () -> block.forward(ps, x, false).close();
            PeerTiming.Result t = PeerTiming.time(call, quick, quick ? 0 : 2_000_000_000L);
            out.add(PeerRecords.model(c.model(), c.shape(), c.mode(), peer, t, c.images()));
            x.close();
            block.close();
        }
        String ce = "deeplabv3_resnet50_2x3x321x321_ce";
        // asked for by its file's stem or, as bench models --cases names every case, by model_shape
        if (!only.isEmpty() && !only.contains(ce) && !only.contains("deeplabv3_resnet50_2x3x321x321")) return out;
        if (!Files.exists(dir.resolve(ce + ".pt"))) {
            JvmPeersMain.note("djl: " + dir.resolve(ce + ".pt") + " missing (run tools/export_onnx.py); DeepLab-v3 forward+backward skipped");
            return out;
        }
        // bench/peer_cases.py's case: train mode, cross-entropy (ignore 255), backward; gradients cleared each call
        PtSymbolBlock block = load(dir, ce, true);
        NDList in = new NDList(random(2, 3, 321, 321), manager.randomInteger(0, 21, new Shape(2, 321, 321), DataType.INT64));
        List<Parameter> params = block.getParameters().values();
        Runnable call = () -> {
            try (GradientCollector gc = engine.newGradientCollector(); NDManager step = manager.newSubManager()) {
                NDList loss = block.forward(ps, in, true);
                loss.attach(step);
                gc.backward(loss.singletonOrThrow());
            }
            for (Parameter p : params) JniUtils.zeroGrad((PtNDArray) p.getArray());
        };
        PeerTiming.Result t = PeerTiming.time(call, quick, quick ? 0 : 2_000_000_000L);
        out.add(PeerRecords.model("deeplabv3_resnet50", "2x3x321x321", "forward+backward", peer, t, 2));
        in.close();
        block.close();
        return out;
    }

    /** bench KernelCases' shapes, as DJL NDArray operations (each call's results closed at once). */
    List<Map<String, Object>> kernels(boolean quick) {
        List<Map<String, Object>> out = new ArrayList<>();
        long window = quick ? 300_000_000L : 2_000_000_000L;
        for (int[] mnk : new int[][]{{1024, 1024, 1024}, {197, 384, 1152}, {197, 1536, 384}}) {
            NDArray a = random(mnk[0], mnk[2]), b = random(mnk[2], mnk[1]);
            out.add(PeerRecords.kernel("sgemm", mnk[0] + "x" + mnk[1] + "x" + mnk[2], peer,
                    PeerTiming.time(() -> a.matMul(b).close(), quick, window), 2.0 * mnk[0] * mnk[1] * mnk[2]));
        }
        NDArray x3 = random(8, 64, 56, 56), w3 = random(64, 64, 3, 3);
        out.add(PeerRecords.kernel("conv2d", "8x64x56x56 k3 64->64", peer, PeerTiming.time(() -> conv(x3, w3, 1), quick, window),
                2.0 * 8 * 64 * 56 * 56 * 64 * 9));
        NDArray x1 = random(8, 256, 56, 56), w1 = random(64, 256, 1, 1);
        out.add(PeerRecords.kernel("conv2d", "8x256x56x56 k1 256->64", peer, PeerTiming.time(() -> conv(x1, w1, 0), quick, window),
                2.0 * 8 * 256 * 56 * 56 * 64));
        NDArray q = random(1, 6, 197, 64), k = random(1, 6, 197, 64), v = random(1, 6, 197, 64);
        out.add(PeerRecords.kernel("attention", "1x6x197x64", peer, PeerTiming.time(() -> {
            try (NDManager call = manager.newSubManager()) {
                NDArray kt = k.transpose(0, 1, 3, 2), s = q.matMul(kt), scaled = s.mul(0.125f), p = scaled.softmax(-1), o = p.matMul(v);
                new NDList(kt, s, scaled, p, o).attach(call);
            }
        }, quick, window), 4.0 * 6 * 197 * 197 * 64));
        NDArray ln = random(8 * 197, 384), lw = random(384), lb = random(384);
        out.add(PeerRecords.kernel("layernorm", "1576x384", peer,
                PeerTiming.time(() -> LayerNorm.layerNorm(ln, new Shape(384), lw, lb, 1e-6f).close(), quick, window), 0));
        NDArray sm = random(8 * 6 * 197, 197);
        out.add(PeerRecords.kernel("softmax", "9456x197", peer, PeerTiming.time(() -> sm.softmax(-1).close(), quick, window), 0));
        return out;
    }

    private static void conv(NDArray x, NDArray w, int pad) {
        x.getNDArrayInternal().convolution(x, w, null, new Shape(1, 1), new Shape(pad, pad), new Shape(1, 1), 1).close();
    }

    static List<Pair<String, Parameter>> named(PtSymbolBlock block) {
        List<Pair<String, Parameter>> r = new ArrayList<>();
        block.getParameters().forEach(r::add);
        return r;
    }
}
