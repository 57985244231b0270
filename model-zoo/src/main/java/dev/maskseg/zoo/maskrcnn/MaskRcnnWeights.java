package dev.maskseg.zoo.maskrcnn;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.io.NumpyPickles;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.zoo.weights.WeightFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Weights of {@code maskrcnn_r50_c4} by detectron2's state-dict names (docs/methods.md §3.4): a detectron2 {@code .pth}
 * (the state dict itself or nested under {@code model}, a leading {@code module.} stripped), a detectron2 {@code .pkl}
 * ({@code {"model": {name: ndarray}}}, read by the restricted {@link NumpyPickles}; with {@code matching_heuristics} the
 * names are matched by suffix as detectron2 does), or safetensors. The number of classes comes from
 * {@code roi_heads.box_predictor.cls_score.weight}; a MoCo-style {@code roi_heads.res5.norm.*} adds the extra FrozenBN
 * after res5; FrozenBN statistics missing from a file (MSRA ResNets) read as mean 0, variance 1, as detectron2 loads them.
 *
 * <p>Where the blocks' stride sits is not in the weights: option {@value #STRIDE_IN_1X1} ("true"/"false"), else a
 * safetensors metadata key of that name, else detectron2's default, true. Models trained from torchvision or MoCo
 * weights (MaskDistill's) need false.
 *
 * <p>{@link #initBackbone} starts a detector from a torchvision or MoCo ResNet-50 ({@code layer1.0.conv1} →
 * {@code res2.0.conv1}, {@code bn1} → {@code conv1.norm}, {@code downsample} → {@code shortcut}, layer4 → roi_heads.res5).
 * Caffe2/Detectron1-named pickles (MSRA {@code R-50.pkl}) are not converted.
 */
public final class MaskRcnnWeights {
    public static final String STRIDE_IN_1X1 = "stride_in_1x1";
    private static final Logger LOG = Logger.getLogger(MaskRcnnWeights.class.getName());
    private static final String CLS = "roi_heads.box_predictor.cls_score.weight";

    private MaskRcnnWeights() {}

    /** A weights file's tensors and what it says about itself. */
    public record Checkpoint(Map<String, Tensor> tensors, boolean matchingHeuristics, String author, Map<String, String> metadata) {}

    public static Checkpoint read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such weights file");
        if (isPickle(file)) return readPickle(file);
        Map<String, Tensor> tensors = new LinkedHashMap<>(WeightFiles.read(file));
        Map<String, String> meta = isSafeTensors(file) ? SafeTensors.metadata(file) : Map.of();
        return new Checkpoint(tensors, false, "", meta);
    }

    private static boolean isPickle(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(2);
        }
        boolean zip = head.length == 2 && head[0] == 'P' && head[1] == 'K';
        return !zip && (file.getFileName().toString().endsWith(".pkl") || head.length == 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5
                && !isSafeTensors(file));
    }

    private static boolean isSafeTensors(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(9);
            return head.length == 9 && head[8] == '{';
        }
    }

    private static Checkpoint readPickle(Path file) throws IOException {
        Object root = NumpyPickles.read(file);
        if (!(root instanceof Map<?, ?> m)) throw new IOException(file + ": the pickle does not hold a dict");
        if (!(m.get("model") instanceof Map<?, ?> model)) {
            throw new IOException(file + ": no 'model' dict (top-level keys " + keys(m) + "); Caffe2/Detectron1-named pickles such as "
                    + "MSRA's R-50.pkl are not supported: convert them to detectron2 names first");
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : model.entrySet()) {
            if (e.getKey() instanceof String k && e.getValue() instanceof Tensor t) tensors.put(k, t);
        }
        if (tensors.isEmpty()) throw new IOException(file + ": the 'model' dict holds no arrays");
        return new Checkpoint(tensors, Boolean.TRUE.equals(m.get("matching_heuristics")),
                m.get("__author__") instanceof String a ? a : "", Map.of());
    }

    private static String keys(Map<?, ?> m) {
        List<String> k = new ArrayList<>();
        for (Object o : m.keySet()) if (k.size() < 8) k.add(String.valueOf(o));
        return k + (m.size() > 8 ? " ..." : "");
    }

    /** The detector of a weights file, loaded strictly, in eval mode. */
    public static MaskRcnnC4 load(Path file, Map<String, String> options) throws IOException {
        Checkpoint ckpt = read(file);
        Map<String, Tensor> t = new LinkedHashMap<>();
        ckpt.tensors().forEach((k, v) -> t.put(k.startsWith("module.") ? k.substring("module.".length()) : k, v));
        if (ckpt.matchingHeuristics()) {
            if (t.keySet().stream().noneMatch(k -> k.endsWith("cls_score.weight"))) {
                throw new IOException(file + ": holds only backbone weights (matching_heuristics, author '" + ckpt.author()
                        + "'): a detector needs its heads; use it to initialise training");
            }
        } else if (!t.containsKey(CLS)) {
            if (t.containsKey("layer1.0.conv1.weight") || t.containsKey("conv1.weight")) {
                throw new IOException(file + ": a torchvision/MoCo ResNet-50 has no detector heads; use it to initialise training");
            }
            throw new IOException(file + ": no '" + CLS + "': not a detectron2 Mask R-CNN state dict");
        }
        Tensor cls = t.entrySet().stream().filter(e -> e.getKey().equals(CLS) || ckpt.matchingHeuristics() && CLS.endsWith("." + e.getKey()))
                .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new IOException(file + ": no class scores"));
        int classes = cls.size(0) - 1;
        boolean extraNorm = t.keySet().stream().anyMatch(k -> k.endsWith("res5.norm.weight"));
        if (extraNorm) LOG.info(file + ": res5 has an extra FrozenBN (MoCo's Res5ROIHeadsExtraNorm); applied after res5");
        boolean stride = strideInOneByOne(options, ckpt.metadata());
        MaskRcnnConfig shape = shape(ckpt.metadata(), classes, stride, extraNorm, file);
        MaskRcnnC4 model = new MaskRcnnC4(shape, new Generator(0));
        List<String> dropped = new ArrayList<>();
        Map<String, Tensor> state = ckpt.matchingHeuristics() ? matchBySuffix(model.stateDict(), t, dropped, file) : new LinkedHashMap<>(t);
        for (String k : List.copyOf(state.keySet())) {
            if (k.endsWith("num_batches_tracked") && shape.norm() == MaskRcnnConfig.Norm.FROZEN_BN || k.equals("pixel_mean") || k.equals("pixel_std")) {
                state.remove(k);
                dropped.add(k);
            }
        }
        fillMissingNormStatistics(model, state);
        if (!dropped.isEmpty()) LOG.info(file + ": ignored " + dropped.size() + " keys not part of maskrcnn_r50_c4 (e.g. " + dropped.get(0) + ")");
        try {
            model.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " does not fit maskrcnn_r50_c4 (" + classes + " classes): " + e.getMessage(), e);
        }
        model.eval();
        return model;
    }

    /** Metadata keys of a smaller detector's shape (see {@link MaskRcnnConfig}); absent keys mean R50-C4's. */
    public static final String WIDTH = "width", NORM = "norm", ANCHOR_SIZES = "anchor_sizes", ANCHOR_RATIOS = "anchor_ratios";

    /** The metadata describing {@code c}'s shape, for a safetensors file of its weights. */
    public static Map<String, String> shapeMetadata(MaskRcnnConfig c) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(STRIDE_IN_1X1, Boolean.toString(c.strideInOneByOne()));
        m.put(WIDTH, Integer.toString(c.width()));
        m.put(NORM, c.norm() == MaskRcnnConfig.Norm.BN ? "bn" : "frozen_bn");
        m.put(ANCHOR_SIZES, join(c.anchorSizes()));
        m.put(ANCHOR_RATIOS, join(c.anchorRatios()));
        return m;
    }

    private static String join(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double x : v) b.append(b.length() > 0 ? "," : "").append(x);
        return b.toString();
    }

    static MaskRcnnConfig shape(Map<String, String> meta, int classes, boolean stride, boolean extraNorm, Path file) throws IOException {
        try {
            int width = meta.containsKey(WIDTH) ? Integer.parseInt(meta.get(WIDTH).trim()) : 64;
            MaskRcnnConfig.Norm norm = switch (meta.getOrDefault(NORM, "frozen_bn").trim().toLowerCase()) {
                case "frozen_bn", "frozenbn" -> MaskRcnnConfig.Norm.FROZEN_BN;
                case "bn" -> MaskRcnnConfig.Norm.BN;
                default -> throw new IllegalArgumentException("norm must be frozen_bn or bn, got '" + meta.get(NORM) + "'");
            };
            double[] sizes = meta.containsKey(ANCHOR_SIZES) ? numbers(meta.get(ANCHOR_SIZES)) : MaskRcnnConfig.ANCHOR_SIZES;
            double[] ratios = meta.containsKey(ANCHOR_RATIOS) ? numbers(meta.get(ANCHOR_RATIOS)) : MaskRcnnConfig.ANCHOR_RATIOS;
            return new MaskRcnnConfig(classes, stride, extraNorm, width, norm, sizes, ratios);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": bad shape metadata (" + e.getMessage() + ")", e);
        }
    }

    private static double[] numbers(String csv) {
        String[] f = csv.split(",");
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) out[i] = Double.parseDouble(f[i].trim());
        return out;
    }

    static boolean strideInOneByOne(Map<String, String> options, Map<String, String> metadata) {
        String v = options.getOrDefault(STRIDE_IN_1X1, metadata.get(STRIDE_IN_1X1));
        if (v == null) return true;
        return switch (v.trim().toLowerCase()) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException(STRIDE_IN_1X1 + " must be true or false, got '" + v + "'");
        };
    }

    /** detectron2: a FrozenBN whose running statistics are not in the file computes with mean 0 and variance 1. */
    private static void fillMissingNormStatistics(Module model, Map<String, Tensor> state) {
        for (var e : model.stateDict().entrySet()) {
            String k = e.getKey();
            if (!k.endsWith(".norm.running_mean") && !k.endsWith(".norm.running_var") || state.containsKey(k)) continue;
            String weight = k.substring(0, k.lastIndexOf('.')) + ".weight";
            if (state.containsKey(weight)) state.put(k, Tensor.full(k.endsWith("mean") ? 0.0 : 1.0, e.getValue().shape()));
        }
    }

    /**
     * detectron2's matching heuristics: model key K takes the checkpoint key k with K == k or K ending in "." + k, the
     * longest such k; mis-shaped pairs are skipped with a warning; unmatched checkpoint keys are reported as dropped; one
     * checkpoint key matching two model keys is an error.
     */
    static Map<String, Tensor> matchBySuffix(Map<String, Tensor> model, Map<String, Tensor> ckpt, List<String> dropped, Path file)
            throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, String> usedBy = new LinkedHashMap<>();
        for (var m : model.entrySet()) {
            String best = null;
            for (String k : ckpt.keySet()) {
                if ((m.getKey().equals(k) || m.getKey().endsWith("." + k)) && (best == null || k.length() > best.length())) best = k;
            }
            if (best == null) continue;
            Tensor v = ckpt.get(best);
            if (!java.util.Arrays.equals(v.shape(), m.getValue().shape())) {
                LOG.warning(file + ": skipping " + best + " → " + m.getKey() + ": shape " + v.shapeString() + " vs " + m.getValue().shapeString());
                continue;
            }
            String previous = usedBy.put(best, m.getKey());
            if (previous != null) throw new IOException(file + ": checkpoint key " + best + " matches both " + previous + " and " + m.getKey());
            out.put(m.getKey(), v);
        }
        for (String k : ckpt.keySet()) if (!usedBy.containsKey(k)) dropped.add(k);
        return out;
    }

    private static final Pattern TORCHVISION = Pattern.compile("layer([1-4])\\.(\\d+)\\.(conv[123]|bn[123]|downsample\\.[01])\\.(.+)");

    /**
     * torchvision (and MoCo, after its {@code module.encoder_q.} / {@code module.base_encoder.} prefix) ResNet-50 names →
     * detectron2's: the stem and res2..res4 under {@code backbone.}, layer4 as {@code roi_heads.res5}; fc and
     * num_batches_tracked dropped (listed in {@code dropped}).
     */
    public static Map<String, Tensor> torchvisionToDetectron2(Map<String, Tensor> resnet, List<String> dropped) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : resnet.entrySet()) {
            String k = e.getKey();
            for (String p : List.of("module.encoder_q.", "module.base_encoder.", "module.")) if (k.startsWith(p)) k = k.substring(p.length());
            String name = null;
            if (k.startsWith("conv1.")) name = "backbone.stem.conv1." + k.substring(6);
            else if (k.startsWith("bn1.")) name = "backbone.stem.conv1.norm." + k.substring(4);
            Matcher m = TORCHVISION.matcher(k);
            if (m.matches()) {
                int stage = Integer.parseInt(m.group(1)) + 1;
                String layer = switch (m.group(3)) {
                    case "downsample.0" -> "shortcut";
                    case "downsample.1" -> "shortcut.norm";
                    default -> m.group(3).startsWith("bn") ? "conv" + m.group(3).charAt(2) + ".norm" : m.group(3);
                };
                name = (stage == 5 ? "roi_heads.res5." : "backbone.res" + stage + ".") + m.group(2) + "." + layer + "." + m.group(4);
            }
            if (name == null || name.endsWith("num_batches_tracked")) dropped.add(e.getKey());
            else out.put(name, e.getValue());
        }
        return out;
    }

    /**
     * Loads the backbone and res5 of {@code model} from a torchvision/MoCo ResNet-50, a backbone-only detectron2 pickle
     * (matching heuristics) or a full detectron2 checkpoint; the heads keep their initialisation. Every backbone and res5
     * weight must be found. Returns how many tensors were loaded.
     */
    public static int initBackbone(MaskRcnnC4 model, Path file) throws IOException {
        Checkpoint ckpt = read(file);
        Map<String, Tensor> target = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> {
            if (k.startsWith("backbone.") || k.startsWith("roi_heads.res5.")) target.put(k, v);
        });
        List<String> dropped = new ArrayList<>();
        Map<String, Tensor> t = ckpt.tensors();
        Map<String, Tensor> state;
        if (t.keySet().stream().anyMatch(k -> k.contains("layer1.0.conv1.weight"))) state = torchvisionToDetectron2(t, dropped);
        else if (ckpt.matchingHeuristics()) state = matchBySuffix(target, t, dropped, file);
        else state = new LinkedHashMap<>(t);
        state.keySet().removeIf(k -> !target.containsKey(k));
        fillMissingNormStatistics(model, state);
        List<String> missing = new ArrayList<>();
        for (String k : target.keySet()) if (!state.containsKey(k)) missing.add(k);
        if (!missing.isEmpty()) {
            throw new IOException(file + ": " + missing.size() + " backbone/res5 weights not found (e.g. " + missing.get(0)
                    + "); expected a torchvision/MoCo ResNet-50 or detectron2 weights");
        }
        Module.LoadReport report = model.loadStateDict(state, false);
        if (!report.misShaped().isEmpty()) throw new IOException(file + ": mis-shaped backbone weights " + report.misShaped());
        return state.size();
    }
}
