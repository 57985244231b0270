package dev.maskseg.pipeline.maskdistill;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.crf.DenseCrf;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.predict.PredictStage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The training maps of a CRF round (docs/methods.md §3.7, the official {@code --crf-postprocess --crf-train}): every
 * image of the train split segmented by the previous round's network at the working size, its logits upsampled to the
 * image and refined by the dense CRF there, the arg-max written as {@code <id>.png}. Maps already written (a resumed
 * run) are kept; an unreadable image is reported and skipped.
 */
final class CrfLabels {
    private CrfLabels() {}

    static void predict(VocDataset voc, String split, Path model, int size, Path outDir, int round, StageListener listener) throws IOException {
        Files.createDirectories(outDir);
        PredictStage stage = PredictStage.load(model, null, DenseCrf.Params.official(), size).overlays(false);
        List<String> ids = voc.ids(split);
        int kept = 0, made = 0, skipped = 0;
        listener.info(String.format("CRF round %d: predicting %d %s images with %s and the dense CRF into %s", round, ids.size(), split, model, outDir));
        listener.start("crf labels", ids.size(), 0, "images");
        try {
            for (String id : ids) {
                if (Files.exists(outDir.resolve(id + ".png"))) kept++;
                else if (!Files.exists(voc.imageFile(id))) {
                    listener.problem(voc.imageFile(id) + ": missing image; skipped");
                    skipped++;
                } else if (stage.processImage(voc.imageFile(id), outDir, listener)) made++;
                else skipped++;
                listener.advance(1, id);
            }
        } finally {
            listener.end();
        }
        listener.info(String.format("CRF round %d: %d maps made, %d kept from before, %d images skipped", round, made, kept, skipped));
    }
}
