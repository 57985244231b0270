package dev.maskseg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.Transforms;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.maskcontrast.Evaluation;
import dev.maskseg.pipeline.maskcontrast.MaskContrastTrainer;
import dev.maskseg.pipeline.maskcontrast.Retrieval;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code eval kmeans}, {@code eval linear} and {@code eval retrieval}: MaskContrast's protocols (methods.md §2.7) on a VOC-layout folder. */
final class EvalModelCommands {
    private EvalModelCommands() {}

    static class Common {
        @Option(names = "--model", required = true, description = "MaskContrast model (OUT/model.safetensors of 'train maskcontrast', or an official checkpoint).")
        Path model;

        @Option(names = "--data", required = true, description = "VOC-layout folder with SegmentationClass/ and ImageSets/Segmentation/.")
        Path data;

        @Option(names = "--num-classes", defaultValue = "21", description = "Ground-truth classes incl. background (default: ${DEFAULT-VALUE}).")
        int classes;

        @Option(names = "--json", required = true, description = "Output JSON file.")
        Path json;

        @Option(names = "--strict", description = "Stop at the first bad input file instead of skipping it.")
        boolean strict;

        @Option(names = "--size", defaultValue = "0", description = "Resize images (bicubic) and labels (nearest) to SIZExSIZE; 0 keeps them (official: 512).")
        int size;

        List<Sample> split(String name) throws java.io.IOException {
            List<Sample> out = new ArrayList<>();
            for (Sample s : new VocDataset(data, strict, m -> System.err.println("eval: " + m)).withLabels(name)) {
                out.add(size > 0 ? Transforms.resizeBicubic(s, size, size) : s);
            }
            if (out.isEmpty()) throw new IllegalArgumentException(data + ": no usable images in split " + name);
            return out;
        }

        void write(Map<String, Object> out, Miou.Result r) throws java.io.IOException {
            out.put("miou", r.miou());
            out.put("pixel_accuracy", r.pixelAccuracy());
            out.put("per_class_iou", r.perClassIou());
            Map<String, Integer> matching = new java.util.TreeMap<>((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
            r.matching().forEach((p, c) -> matching.put(Integer.toString(p), c));
            out.put("matching", matching);
            writeJson(out);
        }

        /** The --json file, written atomically. */
        void writeJson(Map<String, Object> out) throws java.io.IOException {
            byte[] bytes = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(out);
            AtomicFiles.write(json, o -> o.write(bytes));
        }
    }

    @Command(name = "kmeans", description = {"Prototype k-means (methods.md §2.7.2): one saliency-weighted embedding prototype per image "
            + "(logit > 0.5), PCA-whitened, k-means with each seed, Hungarian matching (non-salient label 0 takes part), mean mIoU over the seeds."})
    static final class Kmeans extends Common implements Callable<Integer> {
        @Option(names = "--split", defaultValue = "val", description = "Split to cluster and evaluate (default: ${DEFAULT-VALUE}).")
        String split;

        @Option(names = "--clusters", defaultValue = "-1", description = "k (default: classes - 1).")
        int clusters;

        @Option(names = "--pca-dims", defaultValue = "32", description = "Whitened PCA components (default: ${DEFAULT-VALUE}, as the official code).")
        int pcaDims;

        @Option(names = "--seeds", split = ",", defaultValue = "1234,1235,1236,1237,1238", description = "k-means seeds (default: ${DEFAULT-VALUE}).")
        long[] seeds;

        @Override
        public Integer call() throws Exception {
            MaskContrastModel m = MaskContrastTrainer.loadModel(model);
            List<Sample> images = split(split);
            int k = clusters > 0 ? clusters : classes - 1;
            Evaluation.Prototypes protos = Evaluation.prototypes(m, images);
            double sum = 0;
            Miou.Result first = null;
            List<Double> perSeed = new ArrayList<>();
            Miou.Matching matching = k == classes - 1 ? Miou.Matching.HUNGARIAN : Miou.Matching.MAJORITY;
            for (long s : seeds) {
                Miou.Result r = Miou.evaluate(Evaluation.confusion(Evaluation.kmeansPredictions(protos, k, pcaDims, s), images, classes), matching);
                perSeed.add(r.miou());
                sum += r.miou();
                if (first == null) first = r;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("images", images.size());
            out.put("clusters", k);
            out.put("pca_dims", pcaDims);
            out.put("miou_per_seed", perSeed);
            // miou: the mean over the seeds; the other fields from the first seed's clustering
            write(out, new Miou.Result(sum / seeds.length, first.pixelAccuracy(), first.perClassIou(), first.matching()));
            System.out.printf("eval kmeans: mean mIoU %.4f over %d seeds (%d images, k=%d); %s%n", sum / seeds.length, seeds.length, images.size(), k, json);
            return 0;
        }
    }

    @Command(name = "linear", description = {"Linear probe (methods.md §2.7.1): a 1x1 conv on the frozen decoder features (model in eval mode), "
            + "trained by SGD with cross-entropy (ignore 255) on --train-split, step schedule (lr x0.1 after epoch 25 of 60), evaluated "
            + "on --val-split without matching. By default features are computed once per image; --augment draws a new flip + "
            + "ScaleNRotate view of every image each epoch as the official protocol (features recomputed per batch: epochs times the cost)."})
    static final class Linear extends Common implements Callable<Integer> {
        @Option(names = "--train-split", defaultValue = "train", description = "default: ${DEFAULT-VALUE}")
        String trainSplit;

        @Option(names = "--val-split", defaultValue = "val", description = "default: ${DEFAULT-VALUE}")
        String valSplit;

        @Option(names = "--epochs", defaultValue = "60", description = "default: ${DEFAULT-VALUE}")
        int epochs;

        @Option(names = "--batch", defaultValue = "16", description = "default: ${DEFAULT-VALUE}")
        int batch;

        @Option(names = "--lr", defaultValue = "0.1", description = "default: ${DEFAULT-VALUE}")
        double lr;

        @Option(names = "--augment", description = "Flip + ScaleNRotate views per epoch (§2.7.1).")
        boolean augment;

        @Option(names = "--crf", description = "Refine the val predictions with the dense CRF (§1.5, the official parameters).")
        boolean crf;

        @Option(names = "--save-probe", description = "Write the probe (weight, bias) here as safetensors.")
        Path saveProbe;

        @Override
        public Integer call() throws Exception {
            MaskContrastModel m = MaskContrastTrainer.loadModel(model);
            List<Sample> train = split(trainSplit), val = split(valSplit);
            for (Sample s : train) {
                if (s.width() != train.get(0).width() || s.height() != train.get(0).height()) {
                    throw new IllegalArgumentException(data + ": training images differ in size (" + train.get(0).width() + "x" + train.get(0).height()
                            + " and " + s.width() + "x" + s.height() + "); pass --size 512 as the official protocol");
                }
            }
            int b = Math.min(batch, train.size());
            LinearProbe probe = augment ? Evaluation.trainProbeAugmented(m, train, classes, epochs, b, lr, 7)
                    : Evaluation.trainProbe(Evaluation.features(m, train), train, classes, epochs, b, lr, 7);
            List<Tensor> vf = Evaluation.features(m, val);
            List<int[]> pred = crf ? Evaluation.probePredictionsWithCrf(probe, vf, val, DenseCrf.Params.official()) : Evaluation.probePredictions(probe, vf, val);
            Miou.Result r = Miou.evaluate(Evaluation.confusion(pred, val, classes), Miou.Matching.NONE);
            if (saveProbe != null) SafeTensors.write(saveProbe, probe.stateDict(), Map.of("model", "linear_probe", "classes", Integer.toString(classes)));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("train_images", train.size());
            out.put("val_images", val.size());
            out.put("epochs", epochs);
            out.put("augment", augment);
            out.put("crf", crf);
            write(out, r);
            System.out.printf("eval linear: mIoU %.4f, pixel accuracy %.4f (%d train, %d val images); %s%n", r.miou(), r.pixelAccuracy(), train.size(), val.size(), json);
            return 0;
        }
    }

    @Command(name = "retrieval", description = {"Semantic segment retrieval (methods.md §2.7.3): train-split prototypes labelled with the "
            + "majority ground-truth class in their salient mask form the memory bank; each val image takes its top-1 cosine "
            + "neighbour's label on its salient pixels. mIoU over all classes incl. background, or with --classes/--voc7 over the "
            + "kept classes only (the others ignored in both splits, background excluded). The official protocol uses --size 512."})
    static final class RetrievalCommand extends Common implements Callable<Integer> {
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
            java.util.Set<Integer> kept = voc7 ? Retrieval.VOC7 : Retrieval.allClasses(classes);
            if (keep != null) {
                kept = new java.util.TreeSet<>();
                for (int c : keep) {
                    if (c < 1 || c >= classes) throw new IllegalArgumentException("eval retrieval: --classes " + c + " is not an object class of 1.." + (classes - 1));
                    kept.add(c);
                }
            }
            for (int c : kept) if (c >= classes) throw new IllegalArgumentException("eval retrieval: class " + c + " needs --num-classes > " + c);
            MaskContrastModel m = MaskContrastTrainer.loadModel(model);
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
            writeJson(out);
            System.out.printf("eval retrieval: mIoU %.4f over %d classes (bank of %d train images, %d without a kept class; %d val); %s%n",
                    r.miou(), kept.size() + (kept.size() == classes - 1 ? 1 : 0), r.bankSize(), r.skipped(), val.size(), json);
            return 0;
        }
    }
}
