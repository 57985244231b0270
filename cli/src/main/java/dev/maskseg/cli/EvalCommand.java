package dev.maskseg.cli;

import dev.maskseg.pipeline.batch.ProblemLog;
import dev.maskseg.pipeline.data.JsonFiles;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.eval.LinearProbeProtocol;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.eval.MiouFiles;
import dev.maskseg.pipeline.eval.ModelEvaluation;
import dev.maskseg.pipeline.maskcontrast.Retrieval;
import dev.maskseg.pipeline.train.ModelFiles;
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
            + "clusters matched to classes once: IoU-based Hungarian, many-to-one majority by IoU (MaskContrast, over-clustering) or by "
            + "pixel count (MaskDistill's cluster.py), or none.",
            "Writes {\"miou\", \"pixel_accuracy\", \"per_class_iou\", \"matching\": {pred: class}} to --json, with \"matched\", "
                    + "\"missing\", \"extra\" and \"failed\" counts (ground truths without a prediction, predictions without a ground truth, "
                    + "pairs that could not be read or differ in size). Every ground-truth map (or every one --split lists) must have a "
                    + "usable prediction unless --allow-missing (then only the matched ones are scored)."})
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

        @Option(names = "--split", paramLabel = "FILE", description = "Only the ground-truth maps whose stems FILE lists (e.g. ImageSets/Segmentation/val.txt).")
        Path split;

        @Option(names = "--allow-missing", description = "Score the matched pairs even when some ground-truth maps have no usable prediction.")
        boolean allowMissing;

        @Option(names = "--matching", defaultValue = "hungarian", description = "hungarian | majority | majority-count | none (default: ${DEFAULT-VALUE}).")
        String matching;

        @Option(names = "--ignore", defaultValue = "255", converter = Ranges.Label.class, description = "Ground-truth value to ignore, 0-255 (default: ${DEFAULT-VALUE}).")
        int ignore;

        @Option(names = "--json", required = true, description = "Output JSON file.")
        Path json;

        @Override
        public Integer call() throws Exception {
            Miou.Matching m;
            try {
                m = Miou.Matching.parse(matching);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
            }
            MiouFiles.Outcome o = MiouFiles.compare(pred, gt, split, classes, m, ignore, console.listener("eval miou"));
            if (o.uncovered() > 0 && !allowMissing) throw new IOException(MiouFiles.uncoveredMessage(o, pred, gt));
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

        @Option(names = "--model", required = true, description = "Model file (OUT/model.safetensors of 'train maskcontrast' or, for 'eval linear', "
                + "'train maskdistill'; or an official checkpoint).")
        Path model;

        @Option(names = "--data", required = true, description = "VOC-layout folder with SegmentationClass/ and ImageSets/Segmentation/.")
        Path data;

        @Option(names = "--num-classes", defaultValue = "21", converter = Ranges.Classes.class, description = "Ground-truth classes incl. background (default: ${DEFAULT-VALUE}).")
        int classes;

        @Option(names = "--json", required = true, description = "Output JSON file.")
        Path json;

        @Option(names = "--strict", description = "Stop at the first bad input file instead of skipping it.")
        boolean strict;

        @Option(names = "--size", defaultValue = "0", converter = Ranges.OptionalSide.class, description = "Working size: the network sees images resized to SIZExSIZE (bicubic; 0 keeps "
                + "them; official 512). kmeans and linear score at the stored resolution (predictions nearest-resized back), retrieval at "
                + "the working size (labels nearest-resized), as the official code.")
        int size;

        /** Images skipped by the loaders (one line each, reported as they come); the JSON records them. */
        ProblemLog skipped;

        VocDataset voc() {
            if (skipped == null) skipped = new ProblemLog(console.listener("eval"));
            return new VocDataset(data, strict, skipped.listener());
        }

        /** {@code out} with the record of the skipped images. */
        Map<String, Object> withSkipped(Map<String, Object> out) {
            Map<String, Object> all = new LinkedHashMap<>(out);
            List<String> lines = skipped == null ? List.of() : skipped.lines();
            all.put("skipped", lines.size());
            all.put("skipped_images", lines);
            return all;
        }

        /** The split at the working size, ground truth resized by nearest (retrieval's official scoring). */
        List<Sample> split(String name) throws IOException { return voc().labelledSamples(name, size); }
    }

    @Command(name = "kmeans", description = {"Prototype k-means (docs/methods.md §2.7.2): one saliency-weighted embedding prototype per image "
            + "(logit > 0.5), PCA-whitened, k-means with each seed, matched to the classes (Hungarian when k = classes - 1, the "
            + "non-salient label 0 taking part; IoU majority otherwise; or --matching), mean mIoU over the seeds at the stored resolution."})
    static final class Kmeans extends ModelOptions implements Callable<Integer> {
        @Option(names = "--split", defaultValue = "val", description = "Split to cluster and evaluate (default: ${DEFAULT-VALUE}).")
        String split;

        @Option(names = "--clusters", converter = Ranges.AtLeastOne.class, description = "k (default: classes - 1).")
        Integer clusters;

        @Option(names = "--pca-dims", defaultValue = "32", converter = Ranges.AtLeastOne.class, description = "Whitened PCA components (default: ${DEFAULT-VALUE}, as the official code).")
        int pcaDims;

        @Option(names = "--seeds", split = ",", defaultValue = "1234,1235,1236,1237,1238", description = "k-means seeds (default: ${DEFAULT-VALUE}).")
        long[] seeds;

        @Option(names = "--matching", description = "hungarian | majority | majority-count | none (default: hungarian when k = classes - 1, else majority).")
        String matching;

        @Override
        public Integer call() throws Exception {
            int k = clusters != null ? clusters : classes - 1;
            if (k < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--num-classes " + classes + " leaves no object cluster; give --clusters");
            Map<String, Object> out = withSkipped(ModelEvaluation.kmeans(model, voc(), split, classes, k, pcaDims, seeds, size, matching(matching), console.listener("eval kmeans")));
            JsonFiles.write(json, out);
            System.out.printf("eval kmeans: mean mIoU %.4f over %d seeds (%d images, k=%d, %s matching); %s%n", (double) out.get("miou"), seeds.length,
                    (int) out.get("images"), k, out.get("matching_method"), json);
            return 0;
        }
    }

    static Miou.Matching matching(String name) {
        if (name == null) return null;
        try {
            return Miou.Matching.parse(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + e.getMessage());
        }
    }

    @Command(name = "linear", description = {"Linear probe: a new 1x1 conv on the frozen features before the model's last layer (model in "
            + "eval mode): MaskContrast's decoder (docs/methods.md §2.7.1: 60 epochs, batch 16), a MaskDistill DeepLab-v3's head.0..3 with "
            + "head.4 re-initialised 256->classes, or the small segmenter's decoder with its classifier re-initialised (§3.8: 45 epochs, "
            + "batch 24). SGD lr 0.1, x0.1 after epoch 25, cross-entropy (ignore 255) on --train-split; after every epoch the probe is "
            + "scored on --val-split at the working size and the best epoch is kept (--select last: the last); that probe's val "
            + "predictions are scored at the stored resolution without matching (--crf: refined by the dense CRF there). Features are "
            + "computed once per image and kept in memory; --augment draws a new flip + ScaleNRotate view of every image each epoch "
            + "as the official loaders (features recomputed per batch: epochs times the cost)."})
    static final class Linear extends ModelOptions implements Callable<Integer> {
        @Option(names = "--train-split", defaultValue = "train", description = "default: ${DEFAULT-VALUE}")
        String trainSplit;

        @Option(names = "--val-split", defaultValue = "val", description = "default: ${DEFAULT-VALUE}")
        String valSplit;

        @Option(names = "--epochs", converter = Ranges.AtLeastOne.class, description = "Epochs (default: 60 MaskContrast, 45 MaskDistill).")
        Integer epochs;

        @Option(names = "--batch", converter = Ranges.AtLeastOne.class, description = "Batch size (default: 16 MaskContrast, 24 MaskDistill).")
        Integer batch;

        @Option(names = "--lr", converter = Ranges.Positive.class, description = "Base learning rate (default: 0.1).")
        Double lr;

        @Option(names = "--decay-epoch", converter = Ranges.AtLeastZero.class, description = "lr x0.1 for the epochs after this 0-based index (default: 25).")
        Integer decayEpoch;

        @Option(names = "--select", defaultValue = "best", description = "best (on val, as official) | last (default: ${DEFAULT-VALUE}).")
        String select;

        @Option(names = "--augment", description = "Flip + ScaleNRotate views per epoch (§2.7.1).")
        boolean augment;

        @Option(names = "--crf", description = "Refine the val predictions with the dense CRF (§1.5, the official parameters).")
        boolean crf;

        @Option(names = "--save-probe", description = "Write the probe (weight, bias) here as safetensors.")
        Path saveProbe;

        @Override
        public Integer call() throws Exception {
            if (!select.equals("best") && !select.equals("last")) throw new IllegalArgumentException("--select must be best or last, got '" + select + "'");
            Map<String, Object> out = withSkipped(ModelEvaluation.linear(model, voc(), trainSplit, valSplit, classes, this::recipe, crf, size, saveProbe,
                    console.listener("eval")));
            JsonFiles.write(json, out);
            System.out.printf("eval linear: mIoU %.4f, pixel accuracy %.4f (%s recipe: %d epochs, best on val at epoch %d; %d train, %d val images); %s%n",
                    (double) out.get("miou"), (double) out.get("pixel_accuracy"), out.get("model"), (int) out.get("epochs"), (int) out.get("selected_epoch"),
                    (int) out.get("train_images"), (int) out.get("val_images"), json);
            return 0;
        }

        /** The method's recipe with the options given on the command line. */
        private LinearProbeProtocol.Recipe recipe(LinearProbeProtocol.Recipe b) {
            return new LinearProbeProtocol.Recipe(epochs != null ? epochs : b.epochs(), batch != null ? batch : b.batch(), lr != null ? lr : b.lr(),
                    decayEpoch != null ? decayEpoch : b.decayEpoch(), augment, select.equals("best"));
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
            Retrieval.Result r = Retrieval.evaluate(m, train, val, classes, kept, console.listener("eval retrieval"));
            if (r.bankSize() == 0) System.err.println("eval retrieval: WARNING the memory bank is empty (no train image has a salient pixel on a kept class)");
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("miou", r.miou());
            out.put("classes", new ArrayList<>(kept));
            out.put("per_class_iou", r.perClassIou());
            out.put("bank_images", r.bankSize());
            out.put("bank_skipped", r.skipped());
            out.put("val_images", val.size());
            JsonFiles.write(json, withSkipped(out));
            System.out.printf("eval retrieval: mIoU %.4f over %d classes (bank of %d train images, %d without a kept class; %d val); %s%n",
                    r.miou(), kept.size() + (kept.size() == classes - 1 ? 1 : 0), r.bankSize(), r.skipped(), val.size(), json);
            return 0;
        }
    }
}
