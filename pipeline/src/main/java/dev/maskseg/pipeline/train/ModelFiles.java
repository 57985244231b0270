package dev.maskseg.pipeline.train;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.pipeline.maskcontrast.MaskContrastConfig;
import dev.maskseg.pipeline.config.RunConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskrcnn.MaskRcnnConfig;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.SmallSegmenter;
import dev.maskseg.zoo.deeplab.SegmentationModel;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;
import dev.maskseg.zoo.maskrcnn.MaskRcnnC4;
import dev.maskseg.zoo.maskrcnn.MaskRcnnWeights;
import dev.maskseg.zoo.weights.NameMapping;
import dev.maskseg.zoo.weights.WeightFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trained model files, the one place they are written and read: a safetensors file of the model's state dict (the
 * official names) whose metadata says what it is ({@code model}: {@value #MASKCONTRAST}, {@value #MASKDISTILL},
 * {@value #LINEAR_PROBE}, {@value #MASKRCNN}) and what rebuilds it (backbone, width, embedding size, labels, classes). The loaders also
 * take the official checkpoints of each method (PyTorch {@code .pth} or safetensors without our metadata).
 */
public final class ModelFiles {
    public static final String MASKCONTRAST = "maskcontrast", MASKDISTILL = "maskdistill", LINEAR_PROBE = "linear_probe", MASKRCNN = "maskrcnn";

    private ModelFiles() {}

    /** MaskContrast's query encoder, by MaskContrast's names. */
    public static void saveMaskContrast(Path file, MaskContrastModel model, MaskContrastConfig cfg) throws IOException {
        SafeTensors.write(file, model.stateDict(), Map.of("model", MASKCONTRAST, "backbone", cfg.backbone(),
                "width", Integer.toString(cfg.width()), "ndim", Integer.toString(cfg.ndim())));
    }

    /** MaskDistill's segmentation network (C + 1 labels). */
    public static void saveMaskDistill(Path file, Module model, MaskDistillConfig cfg) throws IOException {
        SafeTensors.write(file, model.stateDict(), Map.of("model", MASKDISTILL, "backbone", cfg.backbone(),
                "width", Integer.toString(cfg.width()), "labels", Integer.toString(cfg.clusters() + 1)));
    }

    /** A linear probe (weight, bias) over {@code classes} classes. */
    public static void saveProbe(Path file, LinearProbe probe, int classes) throws IOException {
        SafeTensors.write(file, probe.stateDict(), Map.of("model", LINEAR_PROBE, "classes", Integer.toString(classes)));
    }

    /** A trained Mask R-CNN: what it detects, how its input is prepared and the detection settings. */
    public record MaskRcnn(MaskRcnnC4 model, MaskRcnnConfig cfg, long[] categoryIds) {}

    /**
     * A Mask R-CNN by detectron2's names, with its shape ({@link MaskRcnnWeights#shapeMetadata}), its {@code maskrcnn:}
     * settings (input size and normalization, detection thresholds) and the COCO category id of each class.
     */
    public static void saveMaskRcnn(Path file, MaskRcnnC4 model, MaskRcnnConfig cfg, long[] categoryIds) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(MaskRcnnWeights.shapeMetadata(model.config));
        meta.put("model", MASKRCNN);
        meta.put("maskrcnn", RunConfig.toYaml(Map.of("maskrcnn", cfg)));
        meta.put("category_ids", String.join(",", java.util.Arrays.stream(categoryIds).mapToObj(Long::toString).toList()));
        SafeTensors.write(file, model.stateDict(), meta);
    }

    /**
     * A model written by {@link #saveMaskRcnn}; or detectron2 weights ({@code .pth}, {@code .pkl}, safetensors without our
     * metadata) detected with {@code fallback}'s settings and category ids 0..C-1. In eval mode.
     */
    public static MaskRcnn loadMaskRcnn(Path file, MaskRcnnConfig fallback) throws IOException {
        Map<String, String> meta = file.toString().endsWith(".safetensors") ? metadata(file, MASKRCNN, "Mask R-CNN") : Map.of();
        MaskRcnnC4 model = MaskRcnnWeights.load(file, Map.of());
        int classes = model.numClasses();
        if (!MASKRCNN.equals(meta.get("model"))) {
            long[] ids = new long[classes];
            for (int c = 0; c < classes; c++) ids[c] = c;
            return new MaskRcnn(model, fallback, ids);
        }
        MaskRcnnConfig cfg = RunConfig.parse(file + " (metadata)", meta.getOrDefault("maskrcnn", ""), List.of()).section("maskrcnn", fallback, MaskRcnnConfig.class);
        String[] f = meta.getOrDefault("category_ids", "").split(",");
        if (f.length != classes) throw new IOException(file + ": " + f.length + " category ids for " + classes + " classes");
        long[] ids = new long[classes];
        try {
            for (int c = 0; c < classes; c++) ids[c] = Long.parseLong(f[c].trim());
        } catch (NumberFormatException e) {
            throw new IOException(file + ": bad category_ids metadata '" + meta.get("category_ids") + "'");
        }
        return new MaskRcnn(model, cfg, ids);
    }

    /** What a safetensors file written here holds ({@value #MASKCONTRAST}, ...); null for any other file. */
    public static String kind(Path file) throws IOException {
        return file.toString().endsWith(".safetensors") ? SafeTensors.metadata(file).get("model") : null;
    }

    /**
     * A MaskContrast model or a MaskDistill segmenter: by the metadata of a file written here, otherwise (an official
     * checkpoint) by its weights: a DeepLab head's last layer ({@code head.4} or {@code classifier.4}) makes it MaskDistill's.
     */
    public static Module loadAny(Path file) throws IOException {
        String kind = kind(file);
        if (MASKDISTILL.equals(kind)) return loadMaskDistill(file);
        if (MASKCONTRAST.equals(kind)) return loadMaskContrast(file);
        if (LINEAR_PROBE.equals(kind)) throw new IOException(file + " is a linear probe, not a model: give the model it was trained on");
        boolean deeplab = WeightFiles.read(file).keySet().stream().anyMatch(k -> k.matches("(module\\.)?(head|classifier)\\.4\\.weight"));
        return deeplab ? loadMaskDistill(file) : loadMaskContrast(file);
    }

    /** A model written by {@link #saveMaskContrast}, or an official MaskContrast checkpoint (resnet50, {@code model_q.} names). */
    public static MaskContrastModel loadMaskContrast(Path file) throws IOException {
        Map<String, String> meta = metadata(file, MASKCONTRAST, "MaskContrast");
        Map<String, Tensor> weights = WeightFiles.read(file);
        String backbone = meta.getOrDefault("backbone", "resnet50");
        MaskContrastModel m;
        if (backbone.equals("small")) {
            m = MaskContrastModel.small(Integer.parseInt(meta.get("ndim")), Integer.parseInt(meta.get("width")), new Generator(0));
        } else {
            int ndim = meta.containsKey("ndim") ? Integer.parseInt(meta.get("ndim")) : 32;
            m = new MaskContrastModel(ndim, new Generator(0));
        }
        NameMapping.Result mapped = NameMapping.maskContrast().apply(weights, m.stateDict());
        try {
            m.loadStateDict(mapped.state(), true);
        } catch (IllegalArgumentException e) {
            throw new IOException(mismatch(file, meta, weights, "MaskContrast", backbone) + e.getMessage(), e);
        }
        return m;
    }

    /** A model written by {@link #saveMaskDistill}, or a DeepLab-v3 checkpoint with MaskDistill's {@code backbone./head.} names. */
    public static Module loadMaskDistill(Path file) throws IOException {
        Map<String, String> meta = metadata(file, MASKDISTILL, "MaskDistill");
        Map<String, Tensor> weights = WeightFiles.read(file);
        String backbone = meta.getOrDefault("backbone", "resnet50");
        Module m;
        if (backbone.equals("small")) {
            m = new SmallSegmenter(Integer.parseInt(meta.get("width")), Integer.parseInt(meta.get("labels")), new Generator(0));
        } else {
            Tensor last = weights.entrySet().stream().filter(e -> e.getKey().matches("(module\\.)?(head|classifier)\\.4\\.weight"))
                    .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new IOException(file + ": no head.4.weight; not a MaskDistill DeepLab-v3"));
            m = SegmentationModel.deeplabv3(last.size(0), new Generator(0));
            weights = NameMapping.deeplab().apply(weights, m.stateDict()).state();
        }
        try {
            m.loadStateDict(weights, true);
        } catch (IllegalArgumentException e) {
            throw new IOException(mismatch(file, meta, weights, "MaskDistill", backbone) + e.getMessage(), e);
        }
        return m;
    }

    /** A probe written by {@link #saveProbe} (any safetensors file with {@code weight} [classes, C, 1, 1] and {@code bias}). */
    public static LinearProbe loadProbe(Path file) throws IOException {
        Map<String, Tensor> w = SafeTensors.read(file);
        if (!w.containsKey("weight") || !w.containsKey("bias")) throw new IllegalArgumentException(file + ": not a linear probe (needs weight and bias)");
        LinearProbe probe = new LinearProbe(w.get("weight").size(1), w.get("weight").size(0), new Generator(0));
        probe.loadStateDict(w, true);
        return probe;
    }

    /** The file's metadata (none for a .pth); a file of ours of another kind, or a training checkpoint, is an error. */
    private static Map<String, String> metadata(Path file, String kind, String method) throws IOException {
        Map<String, String> meta = file.toString().endsWith(".safetensors") ? SafeTensors.metadata(file) : Map.of();
        String checkpoint = Checkpoints.describe(meta);
        if (checkpoint != null) {
            throw new IOException(file + " is " + checkpoint + ", not a model file: give the model.safetensors its run wrote next to it "
                    + "(written when training ends; --resume finishes an interrupted run)");
        }
        String k = meta.get("model");
        if (k != null && !k.equals(kind) && List.of(MASKCONTRAST, MASKDISTILL, LINEAR_PROBE, MASKRCNN).contains(k)) {
            throw new IOException(file + " is not a " + method + " model: its metadata says model=" + k);
        }
        return meta;
    }

    /** The start of the error for weights that do not fit the model their file names (or, without metadata, the default one). */
    private static String mismatch(Path file, Map<String, String> meta, Map<String, Tensor> weights, String method, String backbone) {
        String what = meta.containsKey("model") ? "says it is a " + meta.get("model") + " model with the " + backbone + " backbone"
                : "has no maskseg metadata, so it was read as an official " + method + " checkpoint (" + backbone + ")";
        List<String> names = weights.keySet().stream().sorted().limit(3).toList();
        return file + " " + what + ", but its " + weights.size() + " tensors (" + String.join(", ", names) + (weights.size() > 3 ? ", ..." : "")
                + ") do not fit that model: ";
    }
}
