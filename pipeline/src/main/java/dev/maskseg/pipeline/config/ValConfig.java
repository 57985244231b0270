package dev.maskseg.pipeline.config;

import dev.maskseg.pipeline.eval.Miou;

/**
 * The {@code val:} section of a training configuration: a labelled split scored after every epoch at the working size
 * (the official "online" validation), whose best epoch is kept ({@code best.safetensors}) and picks the model that
 * predicts the next CRF round's maps (docs/methods.md §3.6, §3.7). An empty split turns validation off.
 *
 * @param split    the id list (ImageSets/Segmentation/&lt;split&gt;.txt) with ground truth; empty: no validation
 * @param classes  ground-truth classes incl. background (VOC 21)
 * @param matching how predicted labels are matched to classes: hungarian (raw cluster ids), majority, majority-count,
 *                 or none (labels already named, e.g. by ground-truth boxes)
 */
public record ValConfig(String split, int classes, String matching) {
    public ValConfig {
        if (split == null) split = "";
        if (classes < 1) throw new IllegalArgumentException("val.classes must be >= 1, got " + classes);
        Miou.Matching.parse(matching);
    }

    public static ValConfig none() { return new ValConfig("", 21, "hungarian"); }

    public boolean enabled() { return !split.isEmpty(); }

    public Miou.Matching how() { return Miou.Matching.parse(matching); }
}
