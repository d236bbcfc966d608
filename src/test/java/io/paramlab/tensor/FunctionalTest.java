package io.paramlab.tensor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each op's value and gradient against PyTorch 1.13. The numbers come from /usr/bin/python3 with
 * torch.manual_seed(0); x = torch.randn(3, 4); W = torch.randn(5, 4); b = torch.randn(5); for an op f,
 * y = f(x) and (y * torch.arange(12.).reshape(3, 4)).sum().backward() gives x.grad.
 */
class FunctionalTest {
    static final float[] X = {1.5409960746765137f, -0.293428897857666f, -2.1787893772125244f, 0.5684312582015991f, -1.0845223665237427f, -1.3985954523086548f, 0.40334683656692505f, 0.8380263447761536f, -0.7192575931549072f, -0.40334352850914f, -0.5966353416442871f, 0.18203648924827576f};
    static final float[] W = {0.46809640526771545f, -0.1577124446630478f, 1.4436601400375366f, 0.26604941487312317f, -0.17396099865436554f, -0.678746223449707f, 0.9382607340812683f, 0.4888698160648346f, -0.6730899214744568f, 0.8728312253952026f, 1.0553574562072754f, 0.17784371972084045f, -0.5180748105049133f, -0.30670419335365295f, -1.580993890762329f, 1.7066433429718018f, -0.4462171792984009f, 0.7440207004547119f, 1.5209795236587524f, 3.4105026721954346f};
    static final float[] B = {0.5186367630958557f, -1.3125219345092773f, 0.1919950693845749f, 0.5427713394165039f, -2.2187793254852295f};

    static Tensor input() {
        return Tensor.parameter(X.clone(), 3, 4);
    }

    /** (y * arange(12)).sum() as a linear map of the flattened y: every element gets a different gradient. */
    static Tensor weighted(Tensor y) {
        float[] w = new float[12];
        for (int i = 0; i < 12; i++) w[i] = i;
        return Functional.linear(Functional.flatten(y, 0, 1), Tensor.of(w, 1, 12), null);
    }

    static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("element " + i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5 + 1e-4 * Math.abs(expected[i])));
        }
    }

    @Test
    void reluMatchesPyTorch() {
        Tensor x = input();
        Tensor y = Functional.relu(x);
        assertClose(y.data(), new float[] {1.5409960746765137f, 0.0f, 0.0f, 0.5684312582015991f, 0.0f, 0.0f, 0.40334683656692505f, 0.8380263447761536f, 0.0f, 0.0f, 0.0f, 0.18203648924827576f});
        Losses.sum(weighted(y)).backward();
        assertClose(x.grad(), new float[] {0.0f, 0.0f, 0.0f, 3.0f, 0.0f, 0.0f, 6.0f, 7.0f, 0.0f, 0.0f, 0.0f, 11.0f});
    }
    /** torch.relu(tensor([nan, -1., 0., -0., 2., inf])) and its gradient for ones. */
    @Test
    void reluPassesNegativeZeroAndNaNAsPyTorchDoes() {
        Tensor x = Tensor.parameter(new float[] {Float.NaN, -1f, 0f, -0f, 2f, Float.POSITIVE_INFINITY}, 6);
        Tensor y = Functional.relu(x);
        assertThat(y.data()).containsExactly(Float.NaN, 0f, 0f, -0f, 2f, Float.POSITIVE_INFINITY);
        assertThat(Float.floatToRawIntBits(y.data()[1])).as("relu(-1) is +0").isZero();
        assertThat(Float.floatToRawIntBits(y.data()[3])).as("relu(-0) is -0").isEqualTo(Float.floatToRawIntBits(-0f));
        Losses.sum(y).backward();
        assertThat(x.grad()).containsExactly(1f, 0f, 0f, 0f, 1f, 1f);
    }

    /** F.leaky_relu(tensor([nan, -1., 0., -0., 2., inf, -inf]), 0.2) and its gradient for ones. */
    @Test
    void leakyReluEdgeValuesAsPyTorch() {
        float[] values = {Float.NaN, -1f, 0f, -0f, 2f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        Tensor x = Tensor.parameter(values, 7);
        Tensor y = Functional.leakyRelu(x, 0.2);
        assertThat(y.data()).containsExactly(Float.NaN, -0.2f, 0f, -0f, 2f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
        assertThat(Float.floatToRawIntBits(y.data()[3])).as("leaky_relu(-0) is -0").isEqualTo(Float.floatToRawIntBits(-0f));
        Losses.sum(y).backward();
        assertThat(x.grad()).containsExactly(0.2f, 0.2f, 0.2f, 0.2f, 1f, 1f, 0.2f);
    }

    @Test
    void leakyReluMatchesPyTorch() {
        Tensor x = input();
        Tensor y = Functional.leakyRelu(x, 0.2);
        assertClose(y.data(), new float[] {1.5409960746765137f, -0.0586857795715332f, -0.4357578754425049f, 0.5684312582015991f, -0.21690447628498077f, -0.2797190845012665f, 0.40334683656692505f, 0.8380263447761536f, -0.14385151863098145f, -0.08066871017217636f, -0.11932706832885742f, 0.18203648924827576f});
        Losses.sum(weighted(y)).backward();
        assertClose(x.grad(), new float[] {0.0f, 0.20000000298023224f, 0.4000000059604645f, 3.0f, 0.800000011920929f, 1.0f, 6.0f, 7.0f, 1.600000023841858f, 1.8000000715255737f, 2.0f, 11.0f});
    }
    @Test
    void sigmoidMatchesPyTorch() {
        Tensor x = input();
        Tensor y = Functional.sigmoid(x);
        assertClose(y.data(), new float[] {0.823609471321106f, 0.42716464400291443f, 0.10167144984006882f, 0.6384011507034302f, 0.2526511549949646f, 0.19803909957408905f, 0.599491536617279f, 0.6980493664741516f, 0.32755646109580994f, 0.4005092978477478f, 0.35511383414268494f, 0.545383870601654f});
        Losses.sum(weighted(y)).backward();
        assertClose(x.grad(), new float[] {0.0f, 0.24469499289989471f, 0.18266873061656952f, 0.6925353407859802f, 0.7552741765975952f, 0.7940980195999146f, 1.4406086206436157f, 1.4754351377487183f, 1.7621057033538818f, 2.160914421081543f, 2.2900798320770264f, 2.7273433208465576f});
    }
    @Test
    void tanhMatchesPyTorch() {
        Tensor x = input();
        Tensor y = Functional.tanh(x);
        assertClose(y.data(), new float[] {0.9122875928878784f, -0.2852877080440521f, -0.9747052788734436f, 0.5142062306404114f, -0.794870138168335f, -0.8850476741790771f, 0.38280898332595825f, 0.6847622394561768f, -0.616449236869812f, -0.3828061819076538f, -0.5346510410308838f, 0.18005205690860748f});
        Losses.sum(weighted(y)).backward();
        assertClose(x.grad(), new float[] {0.0f, 0.9186109304428101f, 0.09989923983812332f, 2.2067759037017822f, 1.4727258682250977f, 1.0834530591964722f, 5.120743751525879f, 3.7177047729492188f, 4.959922790527344f, 7.6811347007751465f, 7.141482830047607f, 10.643394470214844f});
    }
    @Test
    void geluMatchesPyTorch() {
        Tensor x = input();
        Tensor y = Functional.gelu(x, false);
        assertClose(y.data(), new float[] {1.4459799528121948f, -0.11285195499658585f, -0.03197072818875313f, 0.4065016508102417f, -0.15082088112831116f, -0.11324038356542587f, 0.2648591101169586f, 0.6695764064788818f, -0.16973838210105896f, -0.13848713040351868f, -0.1642986536026001f, 0.1041654646396637f});
        Losses.sum(weighted(y)).backward();
        assertClose(x.grad(), new float[] {0.0f, 0.2724686563014984f, -0.13258403539657593f, 2.724210023880005f, -0.4049081802368164f, -0.6442646980285645f, 4.829967021942139f, 7.240218162536621f, 0.11558747291564941f, 1.755070447921753f, 0.7616115808486938f, 7.080168724060059f});
    }
    @Test
    void geluTanhMatchesPyTorch() {
        Tensor x = input();
        Tensor y = Functional.gelu(x, true);
        assertClose(y.data(), new float[] {1.445773959159851f, -0.11285421997308731f, -0.031721387058496475f, 0.40647438168525696f, -0.15100230276584625f, -0.11347300559282303f, 0.26485133171081543f, 0.6694801449775696f, -0.16979876160621643f, -0.13849486410617828f, -0.16433101892471313f, 0.10416510701179504f});
        Losses.sum(weighted(y)).backward();
        assertClose(x.grad(), new float[] {0.0f, 0.2724989056587219f, -0.1341789811849594f, 2.723703145980835f, -0.40362489223480225f, -0.6445538997650146f, 4.829531669616699f, 7.237902641296387f, 0.11773943901062012f, 1.7557224035263062f, 0.7634904980659485f, 7.080084323883057f});
    }
    @Test
    void softmax0MatchesPyTorch() {
        Tensor x = input();
        Tensor y = Functional.softmax(x, 0);
        assertClose(y.data(), new float[] {0.8498153686523438f, 0.4490211606025696f, 0.05238129571080208f, 0.33456718921661377f, 0.061528515070676804f, 0.1486959308385849f, 0.6927614212036133f, 0.4380936622619629f, 0.08865614980459213f, 0.40228283405303955f, 0.25485724210739136f, 0.22733911871910095f});
        Losses.sum(weighted(y)).backward();
        assertClose(x.grad(), new float[] {-0.8118823766708374f, -1.7121385335922241f, -0.2519489824771881f, -1.1947687864303589f, 0.18733197450637817f, 0.027799231931567192f, -0.5610699653625488f, 0.18790370225906372f, 0.6245503425598145f, 1.6843395233154297f, 0.8130191564559937f, 1.0068650245666504f});
    }
    @Test
    void softmax1MatchesPyTorch() {
        Tensor x = input();
        Tensor y = Functional.softmax(x, -1);
        assertClose(y.data(), new float[] {0.6401817202568054f, 0.1022404208779335f, 0.01551747228950262f, 0.24206040799617767f, 0.07694389671087265f, 0.05620487034320831f, 0.3406807482242584f, 0.5261704921722412f, 0.16765139997005463f, 0.22993598878383636f, 0.18952275812625885f, 0.41288989782333374f});
        Losses.sum(weighted(y)).backward();
        assertClose(x.grad(), new float[] {-0.5502083897590637f, 0.014369222335517406f, 0.01769835129380226f, 0.5181408524513245f, -0.17820808291435242f, -0.0739700049161911f, -0.1076817512512207f, 0.3598594665527344f, -0.3097613453865051f, -0.1949055790901184f, 0.028873510658740997f, 0.4757930636405945f});
    }
    @Test
    void layerNormMatchesPyTorch() {
        Tensor x = input();
        Tensor y = Functional.layerNorm(x, new int[] {4}, Tensor.parameter(new float[] {1, 2, 3, 4}, 4), Tensor.parameter(new float[] {0f, 0.1f, 0.2f, 0.3f}, 4), 1e-5);
        assertClose(y.data(), new float[] {1.1917682886123657f, -0.1961444914340973f, -4.3753461837768555f, 2.225677490234375f, -0.8146253824234009f, -2.190293312072754f, 2.4534921646118164f, 5.1344313621521f, -0.9685320258140564f, -0.010128945112228394f, -1.6419068574905396f, 6.850262641906738f});
        Losses.sum(weighted(y)).backward();
        assertClose(x.grad(), new float[] {-2.8533387184143066f, -2.290384292602539f, -0.29158449172973633f, 5.435307502746582f, -4.578034400939941f, 4.575529098510742f, -3.295764923095703f, 3.298269271850586f, -17.723724365234375f, -18.453521728515625f, 34.38275146484375f, 1.794525146484375f});
    }

    @Test
    void linearMatchesPyTorch() {
        // y = F.linear(x, W, b); (y ** 2).sum().backward()
        Tensor x = input();
        Tensor w = Tensor.parameter(W.clone(), 5, 4);
        Tensor b = Tensor.parameter(B.clone(), 5);
        Tensor y = Functional.linear(x, w, b);
        assertClose(y.data(), new float[] {-1.7079517841339111f, -3.147815227508545f, -3.2996573448181152f, 4.249177932739258f, -4.499973297119141f, 1.0368037223815918f, 0.6135643720626831f, 0.2759511470794678f, 2.326113224029541f, 0.6961426734924316f, -0.5673407912254333f, -1.3844386339187622f, -0.2732201814651489f, 2.293056011199951f, -2.4845643043518066f});
        Losses.sum(square(y)).backward();
        assertClose(x.grad(), new float[] {3.5513010025024414f, -10.250849723815918f, -44.92756652832031f, -21.35087013244629f, -2.6457672119140625f, -1.0691933631896973f, -0.5100985765457153f, 13.937825202941895f, 0.15970122814178467f, -3.522346019744873f, -19.62127113342285f, -10.873051643371582f});
        assertClose(w.grad(), new float[] {-6.696639537811279f, -1.440146565437317f, 8.95590877532959f, -0.4105221927165985f, -9.040854454040527f, 1.247871994972229f, 15.863821983337402f, -3.0543034076690674f, -10.375038146972656f, 1.3849447965621948f, 14.92715072631836f, -3.3882200717926025f, 4.751893520355225f, -10.850024223327637f, -19.37590217590332f, 9.56425952911377f, -11.804763793945312f, 2.697866201400757f, 23.135318756103516f, -4.853641986846924f});
        assertClose(b.grad(), new float[] {-2.476977825164795f, -7.83737850189209f, -6.593852996826172f, 17.7366943359375f, -12.576789855957031f});
    }

    /** y ** 2, through mse against zeros: mse(y, 0) * numel = sum(y ** 2). */
    static Tensor square(Tensor y) {
        Tensor mse = Losses.mse(y, Tensor.zeros(y.shape()));
        return Functional.linear(Functional.flatten(mse, 0, -1), Tensor.of(new float[] {y.numel()}, 1, 1), null);
    }

    @Test
    void batchNormInTrainingMatchesPyTorchAndMovesRunningStats() {
        // F.batch_norm(x, rm, rv, w=[1,2,3,4], b=[0,.1,.2,.3], training=True, momentum=0.1, eps=1e-5)
        Tensor x = input();
        Tensor w = Tensor.parameter(new float[] {1, 2, 3, 4}, 4);
        Tensor b = Tensor.parameter(new float[] {0f, 0.1f, 0.2f, 0.3f}, 4);
        Tensor rm = Tensor.zeros(4);
        Tensor rv = Tensor.full(1f, 4);
        Tensor y = Functional.batchNorm(x, rm, rv, w, b, true, 0.1, 1e-5);
        assertClose(y.data(), new float[] {1.4024989604949951f, 1.7295176982879639f, -3.7173011302948f, 0.8784239292144775f, -0.858527660369873f, -2.716822624206543f, 3.5696585178375244f, 4.883749961853027f, -0.5439713597297668f, 1.2873057126998901f, 0.747642457485199f, -4.862174034118652f});
        assertClose(rm.data(), new float[] {-0.00875946320593357f, -0.06984560191631317f, -0.07906926423311234f, 0.052949804812669754f});
        assertClose(rv.data(), new float[] {1.102258563041687f, 0.9370666742324829f, 1.0695101022720337f, 0.9108717441558838f});
        Losses.sum(weighted(y)).backward();
        assertClose(x.grad(), new float[] {-0.3101111948490143f, -15.126555442810059f, -3.975756883621216f, -55.31627655029297f, -1.9188076257705688f, -1.6704877614974976f, -6.290212631225586f, 32.57787322998047f, 2.2289187908172607f, 16.79704475402832f, 10.265970230102539f, 22.738405227661133f});
        assertClose(w.grad(), new float[] {-7.785881042480469f, -0.884423017501831f, 5.953258037567139f, -5.740598201751709f});
        assertClose(b.grad(), new float[] {12.0f, 15.0f, 18.0f, 21.0f});
    }

    @Test
    void crossEntropyMatchesPyTorch() {
        Tensor x = input();
        Tensor loss = Losses.crossEntropy(x, Tensor.ofLongs(new long[] {2, 0, 3}, 3));
        assertThat((double) loss.item()).isCloseTo(2.5383472442626953, org.assertj.core.data.Offset.offset(1e-5));
        loss.backward();
        assertClose(x.grad(), new float[] {0.213393896818161f, 0.0340801402926445f, -0.3281608521938324f, 0.0806867927312851f, -0.30768537521362305f, 0.01873495988547802f, 0.1135602593421936f, 0.17539016902446747f, 0.05588380619883537f, 0.07664533704519272f, 0.06317425519227982f, -0.19570337235927582f});
    }

    /** F.cross_entropy(x, tensor([1, -100, 3])): the ignored row adds nothing and is not counted in the mean. */
    @Test
    void crossEntropyIgnoresTargetMinus100AsPyTorch() {
        Tensor x = input();
        Tensor loss = Losses.crossEntropy(x, Tensor.ofLongs(new long[] {1, -100, 3}, 3));
        assertThat((double) loss.item()).isCloseTo(1.5825011730194092, org.assertj.core.data.Offset.offset(1e-5));
        loss.backward();
        assertClose(x.grad(), new float[] {0.3200908303260803f, -0.44887977838516235f, 0.00775873614475131f, 0.12103018164634705f, 0f, 0f, 0f, 0f, 0.08382570743560791f, 0.11496800184249878f, 0.09476137906312943f, -0.29355505108833313f});

        Tensor all = Tensor.parameter(new float[8], 2, 4);
        Tensor none = Losses.crossEntropy(all, Tensor.ofLongs(new long[] {-100, -100}, 2));
        assertThat(none.item()).isNaN();
        none.backward();
        assertThat(all.grad()).containsOnly(0f);
    }

    /**
     * The K-dimensional form over more positions than the loss takes side by side at a time (300 of them; with 5
     * classes 256 at a time, with 200 classes 163), with ignored positions and label smoothing, against PyTorch 1.13:
     * {@code x = (torch.sin(torch.arange(2 * C * 300, dtype=torch.float64) * 0.37) * 4).float().reshape(2, C, 300)},
     * {@code t[k] = -100 if k % 13 == 0 else (7 k) % C} over {@code (2, 300)}, {@code F.cross_entropy(x, t, label_smoothing=s)}.
     */
    @Test
    void crossEntropyOverManyPositionsMatchesPyTorch() {
        double[][] expected = {   // C, s, loss, grad[1], grad[a], grad[b], sum of |grad|
            {5, 0.0, 3.8931171894073486, 1501, 2999, 0.000367823668057099, 0.0006853289087302983, 3.0305227483040653e-06, 1.6018030012650684},
            {5, 0.1, 3.8932137489318848, 1501, 2999, 0.0003316572983749211, 0.0006491625099442899, -3.313584238640033e-05, 1.5144937668969192},
            {200, 0.05, 7.643035888671875, 60001, 119999, 3.501353148749331e-06, 2.31400099437451e-05, 7.416656899295049e-06, 1.9282863909780037}};
        for (double[] e : expected) {
            int classes = (int) e[0];
            float[] v = new float[2 * classes * 300];
            for (int i = 0; i < v.length; i++) v[i] = (float) (Math.sin(i * 0.37) * 4);
            long[] t = new long[600];
            for (int k = 0; k < t.length; k++) t[k] = k % 13 == 0 ? -100 : (7L * k) % classes;
            Tensor x = Tensor.parameter(v, 2, classes, 300);
            Tensor loss = Losses.crossEntropy(x, Tensor.ofLongs(t, 2, 300), Losses.IGNORE_INDEX, e[1]);
            assertThat((double) loss.item()).isCloseTo(e[2], org.assertj.core.data.Offset.offset(1e-6));
            loss.backward();
            float[] g = x.grad();
            assertThat((double) g[1]).isCloseTo(e[5], org.assertj.core.data.Offset.offset(1e-9));
            assertThat((double) g[(int) e[3]]).isCloseTo(e[6], org.assertj.core.data.Offset.offset(1e-9));
            assertThat((double) g[(int) e[4]]).isCloseTo(e[7], org.assertj.core.data.Offset.offset(1e-9));
            assertThat(g[0]).isZero();      // position 0 is ignored
            assertThat(g[300]).isZero();
            double sum = 0;
            for (float d : g) sum += Math.abs(d);
            assertThat(sum).isCloseTo(e[8], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void bceWithLogitsAndL1MatchPyTorch() {
        float[] t = {1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 0.0f, 1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 0.0f};
        Tensor x = input();
        Tensor loss = Losses.bceWithLogits(x, Tensor.of(t, 3, 4));
        assertThat((double) loss.item()).isCloseTo(0.8517102599143982, org.assertj.core.data.Offset.offset(1e-5));
        loss.backward();
        assertClose(x.grad(), new float[] {-0.014699210412800312f, -0.0477362759411335f, -0.07486071437597275f, -0.030133238062262535f, -0.062279071658849716f, 0.016503257676959038f, -0.033375706523656845f, 0.058170780539512634f, 0.02729637175798416f, -0.04995755851268768f, -0.05374051257967949f, 0.045448657125234604f});
        Tensor x2 = input();
        Tensor l1 = Losses.l1(x2, Tensor.of(t, 3, 4));
        assertThat((double) l1.item()).isCloseTo(1.1886544227600098, org.assertj.core.data.Offset.offset(1e-5));
        l1.backward();
        assertClose(x2.grad(), new float[] {0.0833333358168602f, -0.0833333358168602f, -0.0833333358168602f, -0.0833333358168602f, -0.0833333358168602f, -0.0833333358168602f, -0.0833333358168602f, 0.0833333358168602f, -0.0833333358168602f, -0.0833333358168602f, -0.0833333358168602f, 0.0833333358168602f});
    }

    /**
     * Training-mode dropout bit for bit as PyTorch 1.13 on CPU, from /usr/bin/python3:
     * torch.manual_seed(11); x = torch.arange(1., 13.).requires_grad_(); y = F.dropout(x, 0.45, True);
     * (y * torch.arange(12.)).sum().backward(). p = 0.45 is one where 1f / (float) (1 - p), PyTorch's
     * scale, differs from (float) (1 / (1 - p)): 1.8181818 against 1.8181819.
     */
    @Test
    void trainingDropoutMatchesPyTorchBitForBit() {
        Generator generator = new Generator(11);
        float[] ramp = new float[12];
        for (int i = 0; i < 12; i++) ramp[i] = i + 1;
        Tensor x = Tensor.parameter(ramp, 3, 4);
        Tensor y = Functional.dropout(x, 0.45, true, generator);
        assertThat(y.data()).containsExactly(1.8181817531585693f, 0.0f, 0.0f, 0.0f, 0.0f, 10.909090042114258f, 12.727272033691406f,
                14.545454025268555f, 0.0f, 18.18181800842285f, 0.0f, 0.0f);
        Losses.sum(weighted(y)).backward();
        assertThat(x.grad()).containsExactly(0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 9.090909004211426f, 10.909090042114258f, 12.727272033691406f,
                0.0f, 16.363636016845703f, 0.0f, 0.0f);

        // torch.manual_seed(3); F.dropout(torch.arange(1., 13.), 0.7, True), then torch.rand(1): 12 draws, then 0.1808772087097168
        Generator three = new Generator(3);
        Tensor z = Functional.dropout(Tensor.of(ramp.clone(), 12), 0.7, true, three);
        assertThat(z.data()).containsExactly(3.3333332538604736f, 6.666666507720947f, 0.0f, 13.333333015441895f, 0.0f, 0.0f,
                23.333332061767578f, 0.0f, 0.0f, 0.0f, 36.666664123535156f, 0.0f);
        float[] next = new float[1];
        three.uniform(next, 0, 1);
        assertThat(next[0]).isEqualTo(0.1808772087097168f);
    }

    /** p = 1 multiplies by zero (a dropped negative is -0.0) and p = 0 returns the input; neither draws (PyTorch 1.13). */
    @Test
    void dropoutOfOneOrZeroDrawsNothing() {
        Generator generator = new Generator(11);
        Tensor all = Functional.dropout(Tensor.of(new float[] {-1.5f, 2f, -3f, 4f}, 4), 1.0, true, generator);
        assertThat(all.data()).containsExactly(-0.0f, 0.0f, -0.0f, 0.0f);
        Tensor x = Tensor.of(new float[] {1f, 2f}, 2);
        assertThat(Functional.dropout(x, 0.0, true, generator)).isSameAs(x);
        float[] next = new float[1];
        generator.uniform(next, 0, 1);
        assertThat(next[0]).as("torch.manual_seed(11); torch.rand(1), as if no dropout ran").isEqualTo(0.14904171228408813f);
    }
}
