package dev.maskseg.zoo.resnet;

import dev.maskseg.engine.Generator;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.autograd.GradMode;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendOptions;
import dev.maskseg.engine.backend.Backends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * ResNet-50 frozen for inference gives the eval-mode forward's stage outputs and logits (batch norms with running
 * statistics far from 0 and 1, on the jvm backend), for the classifier and for the dilated backbone, and keeps
 * them when the source model is changed afterwards; the intermediates it closes for reuse never include what it
 * returned or was given.
 */
class FrozenResNetTest {
    private static ResNet model(boolean dilated, Backend be) {
        ResNet r = new ResNet(dilated, dilated, dilated ? 0 : 10, new Generator(4));
        Generator g = new Generator(5);
        try (var ng = GradMode.noGrad()) {
            for (var e : r.stateDict().entrySet()) {
                Tensor t = e.getValue();
                if (e.getKey().endsWith("running_mean")) t.copy_(Tensor.randn(g, t.shape()).mul(0.2));
                else if (e.getKey().endsWith("running_var")) t.copy_(Tensor.rand(g, t.shape()).add(0.5));
                else if (e.getKey().endsWith("bn3.weight")) t.copy_(Tensor.rand(g, t.shape()).mul(0.5));
            }
        }
        r.to(be).eval();
        return r;
    }

    private static void assertClose(Tensor want, Tensor got, String what) {
        float[] w = want.toFloatArray(), o = got.toFloatArray();
        assertEquals(w.length, o.length, what);
        double scale = 1;
        for (float v : w) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < w.length; i++) assertEquals(w[i], o[i], 2e-5 * scale, what + " element " + i);
    }

    @ParameterizedTest(name = "dilated backbone: {0}")
    @ValueSource(booleans = {false, true})
    void frozenForwardEqualsTheEvalForward(boolean dilated) {
        Backend be = Backends.get("jvm", BackendOptions.threads(2));
        ResNet r = model(dilated, be);
        Tensor x = Tensor.randn(new Generator(6), 2, 3, 64, 72).to(be);
        ResNet.Features want;
        try (var ng = GradMode.noGrad()) {
            want = r.features(x);
        }
        FrozenResNet frozen = r.freeze();
        ResNet.Features got = frozen.features(x);
        assertClose(want.layer3(), got.layer3(), "layer3");
        assertClose(want.layer4(), got.layer4(), "layer4");
        if (dilated) assertNull(got.logits());
        else assertClose(want.logits(), got.logits(), "logits");
        assertClose(dilated ? want.layer4() : want.logits(), frozen.forward(x), "forward (the logits alone, or layer4 without a head)");

        try (var ng = GradMode.noGrad()) {
            r.conv1.weight.fill_(0);
            ((Bottleneck) r.layer4.get(0)).bn1.runningVar.fill_(100);
            if (r.fc != null) r.fc.weight.fill_(0);
        }
        ResNet.Features again = frozen.features(x);
        assertClose(want.layer4(), again.layer4(), "layer4 after the source changed");
        if (!dilated) assertClose(want.logits(), again.logits(), "logits after the source changed");
        // the forward closes its intermediates for reuse, never what it returned or was given
        assertClose(want.layer3(), got.layer3(), "the first call's layer3 after a second call");
        assertClose(want.layer4(), got.layer4(), "the first call's layer4 after a second call");
        assertEquals(2 * 3 * 64 * 72, x.toFloatArray().length, "the input stays usable");
    }
}
