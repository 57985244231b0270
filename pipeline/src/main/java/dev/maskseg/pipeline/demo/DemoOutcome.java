package dev.maskseg.pipeline.demo;

import dev.maskseg.engine.Tensor;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.LinearProbes;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.zoo.LinearProbe;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What one method's demo run hands to the common report: scores of the trained and random-init networks, the loss
 * curves, extra metrics, a note on the method, and the method's effective configuration sections.
 *
 * @param clusterColumn what the unsupervised prediction is called in the report ({@code k-means}, {@code labels})
 */
record DemoOutcome(String title, String clusterColumn, Scores trained, Scores random, double[] epochs, Map<String, double[]> losses,
                   Map<String, Object> extra, String notes, Map<String, Object> config) {

    /** Unsupervised (cluster, Hungarian-matched) and linear-probe scores, with their label maps for the report and the probe. */
    record Scores(Miou.Result kmeans, Miou.Result linear, List<int[]> clusterMaps, List<int[]> linearMaps, LinearProbe probe) {
        /** Adds the linear probe (1x1 conv on frozen features, 30 epochs, batch 8, lr 0.1, x0.1 after epoch 12: §2.7.1's step scaled to 30 epochs). */
        static Scores withProbe(Miou.Result clusters, List<int[]> clusterMaps, List<Tensor> trainFeats, List<Tensor> valFeats,
                                List<Sample> trainGt, List<Sample> val, int classes, StageListener listener) throws IOException {
            LinearProbe probe = LinearProbes.train(trainFeats, trainGt, classes, new LinearProbes.Schedule(30, 8, 0.1, 12), 7, listener);
            List<int[]> linMaps = LinearProbes.predict(probe, valFeats, val, null, listener);
            Miou.Result linear = Miou.evaluate(Confusion.of(linMaps, val, classes), Miou.Matching.NONE);
            return new Scores(clusters, linear, clusterMaps, linMaps, probe);
        }
    }
}
