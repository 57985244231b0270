package dev.maskseg.pipeline.eval;

import dev.maskseg.engine.nn.Module;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@code eval kmeans} and {@code eval linear} on a model file and a VOC-layout folder: the protocol, then the fields of
 * its JSON report. Both predict at the working size and score at the stored resolution ({@link EvalSplit}).
 */
public final class ModelEvaluation {
    private ModelEvaluation() {}

    /** §2.7.2 on a MaskContrast model; {@code matching} null: the official one for k ({@link KMeansProtocol#officialMatching}). */
    public static Map<String, Object> kmeans(Path modelFile, VocDataset voc, String split, int classes, int k, int pcaDims, long[] seeds, int size,
                                             Miou.Matching matching) throws IOException {
        return kmeans(modelFile, voc, split, classes, k, pcaDims, seeds, size, matching, StageListener.NONE);
    }

    /** As {@link #kmeans(Path, VocDataset, String, int, int, int, long[], int, Miou.Matching)}, the prototypes and k-means as tasks of the listener. */
    public static Map<String, Object> kmeans(Path modelFile, VocDataset voc, String split, int classes, int k, int pcaDims, long[] seeds, int size,
                                             Miou.Matching matching, StageListener listener) throws IOException {
        MaskContrastModel m = ModelFiles.loadMaskContrast(modelFile);
        EvalSplit images = EvalSplit.load(voc, split, size);
        Miou.Matching how = matching != null ? matching : KMeansProtocol.officialMatching(classes, k);
        KMeansProtocol.Result r = KMeansProtocol.evaluate(Prototypes.of(m, images.working(), listener), images, classes, k, pcaDims, seeds, how, listener);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("images", images.count());
        out.put("clusters", k);
        out.put("pca_dims", pcaDims);
        out.put("matching_method", how.cliName());
        out.put("miou_per_seed", r.perSeed());
        out.put("working_size", size);
        out.put("resolution", "original");
        out.put("scored_pixels", images.confusion(r.firstMaps(), classes).total());
        out.putAll(MiouFiles.fields(r.summary())); // miou: the mean over the seeds; the other fields from the first seed's clustering
        return out;
    }

    /**
     * The linear probe of the model's method (§2.7.1 for MaskContrast, §3.8 for a MaskDistill segmenter), its recipe
     * changed by {@code adjust} (e.g. options given by the user), optionally the CRF on the final val predictions;
     * writes the probe to {@code saveProbe} when given.
     */
    public static Map<String, Object> linear(Path modelFile, VocDataset voc, String trainSplit, String valSplit, int classes,
                                             UnaryOperator<LinearProbeProtocol.Recipe> adjust, boolean crf, int size, Path saveProbe,
                                             StageListener listener) throws IOException {
        Module model = ModelFiles.loadAny(modelFile);
        LinearProbeProtocol.Recipe r = adjust.apply(LinearProbeProtocol.Recipe.forModel(model));
        EvalSplit train = EvalSplit.load(voc, trainSplit, size), val = EvalSplit.load(voc, valSplit, size);
        LinearProbeProtocol.Result res = LinearProbeProtocol.run(model, train, val, classes, r, crf ? DenseCrf.Params.official() : null, 7, listener);
        if (saveProbe != null) ModelFiles.saveProbe(saveProbe, res.probe(), classes);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model instanceof MaskContrastModel ? ModelFiles.MASKCONTRAST : ModelFiles.MASKDISTILL);
        out.put("train_images", train.count());
        out.put("val_images", val.count());
        out.put("epochs", r.epochs());
        out.put("batch", Math.min(r.batch(), train.count()));
        out.put("lr", r.lr());
        out.put("decay_epoch", r.decayEpoch());
        out.put("augment", r.augment());
        out.put("select", r.bestOnVal() ? "best" : "last");
        out.put("selected_epoch", res.selectedEpoch() + 1);
        out.put("val_miou_per_epoch", Arrays.stream(res.onlineMiou()).boxed().toList());
        out.put("crf", crf);
        out.put("working_size", size);
        out.put("resolution", "original");
        out.put("scored_pixels", res.scoredPixels());
        out.putAll(MiouFiles.fields(res.val()));
        return out;
    }
}
