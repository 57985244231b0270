package dev.maskseg.pipeline.demo;

import dev.maskseg.engine.Tensor;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.eval.Confusion;
import dev.maskseg.pipeline.eval.LinearProbes;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.zoo.LinearProbe;

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
        /** Adds the linear probe (1x1 conv on frozen features, 30 epochs, batch 8, lr 0.1 with the §2.7.1 step). */
        static Scores withProbe(Miou.Result clusters, List<int[]> clusterMaps, List<Tensor> trainFeats, List<Tensor> valFeats,
                                List<Sample> trainGt, List<Sample> val, int classes, StageListener listener) {
            LinearProbe probe = LinearProbes.train(trainFeats, trainGt, classes, 30, 8, 0.1, 7, listener);
            List<int[]> linMaps = LinearProbes.predict(probe, valFeats, val, null, listener);
            Miou.Result linear = Miou.evaluate(Confusion.of(linMaps, val, classes), Miou.Matching.NONE);
            return new Scores(clusters, linear, clusterMaps, linMaps, probe);
        }
    }
}
