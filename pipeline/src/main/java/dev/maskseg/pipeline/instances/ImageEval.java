package dev.maskseg.pipeline.instances;

/**
 * The matching of one image, category and area range ({@code COCOeval.evaluateImg}): detections sorted by score
 * (at most the largest max-detections), for each IoU threshold whether each detection matched a ground truth and
 * whether it is ignored, and which ground truths are ignored.
 */
record ImageEval(double[] dtScores, boolean[][] dtMatched, boolean[][] dtIgnored, boolean[] gtIgnored) {
    int detections() { return dtScores.length; }

    int counted() {
        int n = 0;
        for (boolean g : gtIgnored) if (!g) n++;
        return n;
    }
}
