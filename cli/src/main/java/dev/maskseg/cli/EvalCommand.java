package dev.maskseg.cli;

import dev.maskseg.engine.Tensor;
import dev.maskseg.pipeline.batch.ProblemLog;
import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.JsonFiles;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.DecoderFeatures;
import dev.maskseg.pipeline.eval.KMeansProtocol;
import dev.maskseg.pipeline.eval.LinearProbes;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.eval.MiouFiles;
import dev.maskseg.pipeline.eval.Prototypes;
import dev.maskseg.pipeline.maskcontrast.Retrieval;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/** {@code eval miou} on label-map folders, and MaskContrast's protocols (docs/methods.md §2.7) on a model: {@code eval kmeans|linear|retrieval}. */
@Command(name = "eval", description = "Evaluate predictions.", subcommands = {EvalCommand.MiouCommand.class, EvalCommand.Kmeans.class, EvalCommand.Linear.class,
        EvalCommand.RetrievalCommand.class})
final class EvalCommand {
    private EvalCommand() {}

    @Command(name = "miou", description = {"Dataset-level mIoU of PNG label maps matched by file stem (8-bit grayscale or palette index), "
            + "clusters matched to classes once: IoU-based Hungarian, many-to-one majority (over-clustering) or none.",
            "Writes {\"miou\", \"pixel_accuracy\", \"per_class_iou\", \"matching\": {pred: class}} to --json, with \"matched\", "
                    + "\"missing\", \"extra\" and \"failed\" counts (ground truths without a prediction, predictions without a ground truth, "
                    + "pairs that could not be read or differ in size). Every ground-truth map must have a usable prediction unless "
                    + "--allow-missing (then only the matched ones are scored)."})
    static final class MiouCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConsoleOutput console = new ConsoleOutput();

        @Option(names = "--pred", required = true, description = "Folder of predicted label maps.")
        Path pred;

        @Option(names = "--gt", required = true, description = "Folder of ground-truth label maps.")
        Path gt;

        @Option(names = "--num-classes", required = true, converter = Ranges.Classes.class, description = "Number of ground-truth classes.")
        int classes;

        @Option(names = "--allow-missing", description = "Score the matched pairs even when some ground-truth maps have no usable prediction.")
        boolean allowMissing;

        @Option(names = "--matching", defaultValue = "hungarian", description = "hungarian | majority | none (default: ${DEFAULT-VALUE}).")
        String matching;

        @Option(names = "--ignore", defaultValue = "255", converter = Ranges.Label.class, description = "Ground-truth value to ignore, 0-255 (default: ${DEFAULT-VALUE}).")
        int ignore;

        @Option(names = "--json", required = true, description = "Output JSON file.")
        Path json;

        @Override
        public Integer call() throws Exception {
            Miou.Matching m;
            try {
                m = Miou.Matching.valueOf(matching.toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--matching must be hungarian, majority or none, got '" + matching + "'");
            }
            MiouFiles.Outcome o = MiouFiles.compare(pred, gt, classes, m, ignore, console.listener("eval miou"));
            if (o.uncovered() > 0 && !allowMissing) throw new java.io.IOException(MiouFiles.uncoveredMessage(o, pred, gt));
            if (!o.extra().isEmpty()) System.err.printf("eval miou: %d prediction(s) in %s have no ground truth in %s and are not scored%n", o.extra().size(), pred, gt);
            JsonFiles.write(json, MiouFiles.fields(o));
            Miou.Result r = o.result();
            System.out.printf("mIoU %.4f, pixel accuracy %.4f (%s matching) over %d images (%d missing, %d extra, %d failed); %s%n", r.miou(),
                    r.pixelAccuracy(), matching, o.matched(), o.missing().size(), o.extra().size(), o.failed().size(), json);
            return 0;
        }
    }

    /** The options of the protocols that evaluate a MaskContrast model on a VOC-layout folder. */
    static class ModelOptions {
        @Spec
        CommandSpec spec;

        @Mixin
        ConsoleOutput console = new ConsoleOutput();

        @Option(names = "--model", required = true, description = "MaskContrast model (OUT/model.safetensors of 'train maskcontrast', or an official checkpoint).")
        Path model;

        @Option(names = "--data", required = true, description = "VOC-layout folder with SegmentationClass/ and ImageSets/Segmentation/.")
        Path data;

        @Option(names = "--num-classes", defaultValue = "21", converter = Ranges.Classes.class, description = "Ground-truth classes incl. background (default: ${DEFAULT-VALUE}).")
        int classes;

        @Option(names = "--json", required = true, description = "Output JSON file.")
        Path json;

        @Option(names = "--strict", description = "Stop at the first bad input file instead of skipping it.")
        boolean strict;

        @Option(names = "--size", defaultValue = "0", converter = Ranges.OptionalSide.class, description = "Resize images (bicubic) and labels (nearest) to SIZExSIZE; 0 keeps them (official: 512).")
        int size;

        /** Images skipped by the loaders (one line each, reported as they come); the JSON records them. */
        ProblemLog skipped;

        List<Sample> split(String name) throws IOException {
            if (skipped == null) skipped = new ProblemLog(console.listener("eval"));
            return new VocDataset(data, strict, skipped).labelledSamples(name, size);
        }

        /** The JSON's record of the skipped images. */
        void putSkipped(Map<String, Object> out) {
            List<String> lines = skipped == null ? List.of() : skipped.lines();
            out.put("skipped", lines.size());
            out.put("skipped_images", lines);
        }
    }

    @Command(name = "kmeans", description = {"Prototype k-means (docs/methods.md §2.7.2): one saliency-weighted embedding prototype per image "
            + "(logit > 0.5), PCA-whitened, k-means with each seed, Hungarian matching (non-salient label 0 takes part), mean mIoU over the seeds."})
    static final class Kmeans extends ModelOptions implements Callable<Integer> {
        @Option(names = "--split", defaultValue = "val", description = "Split to cluster and evaluate (default: ${DEFAULT-VALUE}).")
        String split;

        @Option(names = "--clusters", converter = Ranges.AtLeastOne.class, description = "k (default: classes - 1).")
        Integer clusters;

        @Option(names = "--pca-dims", defaultValue = "32", converter = Ranges.AtLeastOne.class, description = "Whitened PCA components (default: ${DEFAULT-VALUE}, as the official code).")
        int pcaDims;

        @Option(names = "--seeds", split = ",", defaultValue = "1234,1235,1236,1237,1238", description = "k-means seeds (default: ${DEFAULT-VALUE}).")
        long[] seeds;

        @Override
        public Integer call() throws Exception {
            MaskContrastModel m = ModelFiles.loadMaskContrast(model);
            List<Sample> images = split(split);
            int k = clusters != null ? clusters : classes - 1;
            if (k < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--num-classes " + classes + " leaves no object cluster; give --clusters");
            KMeansProtocol.Result r = KMeansProtocol.evaluate(Prototypes.of(m, images), images, classes, k, pcaDims, seeds);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("images", images.size());
            out.put("clusters", k);
            out.put("pca_dims", pcaDims);
            out.put("miou_per_seed", r.perSeed());
            out.putAll(MiouFiles.fields(r.summary())); // miou: the mean over the seeds; the other fields from the first seed's clustering
            putSkipped(out);
            JsonFiles.write(json, out);
            System.out.printf("eval kmeans: mean mIoU %.4f over %d seeds (%d images, k=%d); %s%n", r.meanMiou(), seeds.length, images.size(), k, json);
            return 0;
        }
    }

    @Command(name = "linear", description = {"Linear probe (docs/methods.md §2.7.1): a 1x1 conv on the frozen decoder features (model in eval mode), "
            + "trained by SGD with cross-entropy (ignore 255) on --train-split, step schedule (lr x0.1 after epoch 25 of 60), evaluated "
            + "on --val-split without matching. By default features are computed once per image; --augment draws a new flip + "
            + "ScaleNRotate view of every image each epoch as the official protocol (features recomputed per batch: epochs times the cost)."})
    static final class Linear extends ModelOptions implements Callable<Integer> {
        @Option(names = "--train-split", defaultValue = "train", description = "default: ${DEFAULT-VALUE}")
        String trainSplit;

        @Option(names = "--val-split", defaultValue = "val", description = "default: ${DEFAULT-VALUE}")
        String valSplit;

        @Option(names = "--epochs", defaultValue = "60", converter = Ranges.AtLeastOne.class, description = "default: ${DEFAULT-VALUE}")
        int epochs;

        @Option(names = "--batch", defaultValue = "16", converter = Ranges.AtLeastOne.class, description = "default: ${DEFAULT-VALUE}")
        int batch;

        @Option(names = "--lr", defaultValue = "0.1", converter = Ranges.Positive.class, description = "default: ${DEFAULT-VALUE}")
        double lr;

        @Option(names = "--augment", description = "Flip + ScaleNRotate views per epoch (§2.7.1).")
        boolean augment;

        @Option(names = "--crf", description = "Refine the val predictions with the dense CRF (§1.5, the official parameters).")
        boolean crf;

        @Option(names = "--save-probe", description = "Write the probe (weight, bias) here as safetensors.")
        Path saveProbe;

        @Override
        public Integer call() throws Exception {
            MaskContrastModel m = ModelFiles.loadMaskContrast(model);
            List<Sample> train = split(trainSplit), val = split(valSplit);
            LinearProbes.requireOneSize(train, data.toString());
            int b = Math.min(batch, train.size());
            LinearProbe probe = augment ? LinearProbes.trainAugmented(m, train, classes, epochs, b, lr, 7)
                    : LinearProbes.train(DecoderFeatures.of(m, train), train, classes, epochs, b, lr, 7);
            List<Tensor> vf = DecoderFeatures.of(m, val);
            List<int[]> pred = LinearProbes.predict(probe, vf, val, crf ? DenseCrf.Params.official() : null);
            Miou.Result r = Miou.evaluate(Confusion.of(pred, val, classes), Miou.Matching.NONE);
            if (saveProbe != null) ModelFiles.saveProbe(saveProbe, probe, classes);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("train_images", train.size());
            out.put("val_images", val.size());
            out.put("epochs", epochs);
            out.put("augment", augment);
            out.put("crf", crf);
            out.putAll(MiouFiles.fields(r));
            putSkipped(out);
            JsonFiles.write(json, out);
            System.out.printf("eval linear: mIoU %.4f, pixel accuracy %.4f (%d train, %d val images); %s%n", r.miou(), r.pixelAccuracy(), train.size(), val.size(), json);
            return 0;
        }
    }

    @Command(name = "retrieval", description = {"Semantic segment retrieval (docs/methods.md §2.7.3): train-split prototypes labelled with the "
            + "majority ground-truth class in their salient mask form the memory bank; each val image takes its top-1 cosine "
            + "neighbour's label on its salient pixels. mIoU over all classes incl. background, or with --classes/--voc7 over the "
            + "kept classes only (the others ignored in both splits, background excluded). The official protocol uses --size 512."})
    static final class RetrievalCommand extends ModelOptions implements Callable<Integer> {
        @Option(names = "--train-split", defaultValue = "train", description = "Memory bank split (default: ${DEFAULT-VALUE}, as the official code).")
        String trainSplit;

        @Option(names = "--val-split", defaultValue = "val", description = "default: ${DEFAULT-VALUE}")
        String valSplit;

        @Option(names = "--classes", split = ",", description = "Object classes kept (default: all).")
        int[] keep;

        @Option(names = "--voc7", description = "The official 7 classes: aeroplane, bottle, bus, car, cat, cow, person.")
        boolean voc7;

        @Override
        public Integer call() throws Exception {
            if (voc7 && keep != null) throw new IllegalArgumentException("eval retrieval: give --classes or --voc7, not both");
            Set<Integer> kept = voc7 ? Retrieval.VOC7 : Retrieval.allClasses(classes);
            if (keep != null) {
                kept = new TreeSet<>();
                for (int c : keep) {
                    if (c < 1 || c >= classes) throw new IllegalArgumentException("eval retrieval: --classes " + c + " is not an object class of 1.." + (classes - 1));
                    kept.add(c);
                }
            }
            for (int c : kept) if (c >= classes) throw new IllegalArgumentException("eval retrieval: class " + c + " needs --num-classes > " + c);
            MaskContrastModel m = ModelFiles.loadMaskContrast(model);
            List<Sample> train = split(trainSplit), val = split(valSplit);
            Retrieval.Result r = Retrieval.evaluate(m, train, val, classes, kept);
            if (r.bankSize() == 0) System.err.println("eval retrieval: WARNING the memory bank is empty (no train image has a salient pixel on a kept class)");
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("miou", r.miou());
            out.put("classes", new ArrayList<>(kept));
            out.put("per_class_iou", r.perClassIou());
            out.put("bank_images", r.bankSize());
            out.put("bank_skipped", r.skipped());
            out.put("val_images", val.size());
            putSkipped(out);
            JsonFiles.write(json, out);
            System.out.printf("eval retrieval: mIoU %.4f over %d classes (bank of %d train images, %d without a kept class; %d val); %s%n",
                    r.miou(), kept.size() + (kept.size() == classes - 1 ? 1 : 0), r.bankSize(), r.skipped(), val.size(), json);
            return 0;
        }
    }
}
