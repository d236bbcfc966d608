package io.paramlab.init;

import io.paramlab.tensor.Generator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each nn.init policy against PyTorch 1.13 under torch.manual_seed(7); uniform-family draws as raw
 * float32 bits, bit for bit; normal-family within float rounding.
 */
class InitializerTest {

    private static float[] draw(InitPolicy policy, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] data = new float[n];
        Initializer.apply(policy, data, shape, new Generator(7));
        return data;
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) out[i] = Float.floatToRawIntBits(values[i]);
        return out;
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("element " + i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-6 + 1e-5 * Math.abs(expected[i])));
        }
    }

    @Test
    void xavierUniformIsBitExact() {
        // nn.init.xavier_uniform_(torch.empty(8, 4), gain=2.0)
        assertThat(bits(draw(new InitPolicy.XavierUniform(2.0), 8, 4))).containsExactly(new int[] {1036667647, -1084614916, 1055297579, 1055077262, -1086226347, -1101460580, -1085007963, 1052500186, -1094513915, 1065244783, 1065386190, 1041466925, -1088792491, -1084971583, -1105262291, -1093941611, 1059033741, -1080389028, 1068114187, -1081213161, 1066048978, -1099203959, 1060780683, 1057822125, 1030912712, 1049035617, 1065973684, 1052391302, 1061164067, -1081342092, 1065409911, 1056519296});
    }

    @Test
    void kaimingUniformWithFanOutOverAReceptiveFieldIsBitExact() {
        // nn.init.kaiming_uniform_(torch.empty(3, 4, 2), a=0.1, mode='fan_out', nonlinearity='leaky_relu')
        assertThat(bits(draw(new InitPolicy.KaimingUniform(0.1, FanMode.FAN_OUT, Nonlinearity.LEAKY_RELU), 3, 4, 2)))
                .containsExactly(new int[] {1032738100, -1088851316, 1050818883, 1050663868, -1089985116, -1105676692, -1089127863, 1048850644, -1098302632, 1060304115, 1060426809, 1037015137, -1093062257, -1089102267, -1109406878, -1097899961, 1054903475, -1084652745, 1064265633, -1085812461, 1061359482, -1104088939, 1057163185, 1053198494});
    }

    @Test
    void linearsOwnResetIsBitExact() {
        // nn.init.kaiming_uniform_(torch.empty(5, 3), a=math.sqrt(5)), as Linear.reset_parameters draws its weight
        assertThat(bits(draw(new InitPolicy.KaimingUniform(Math.sqrt(5), FanMode.FAN_IN, Nonlinearity.LEAKY_RELU), 5, 3)))
                .containsExactly(new int[] {1025846248, -1095626289, 1044136200, 1043956312, -1096942017, -1112459393, -1095947210, 1041852138, -1105248126, 1053797397, 1053939778, 1030809576, -1099166882, -1095917507, -1115563477});
    }

    @Test
    void normalFamilyAgrees() {
        assertClose(draw(new InitPolicy.XavierNormal(1.0), 8, 4), new float[] {-0.3348185420036316f, 0.1615157574415207f, 0.36697787046432495f, -0.5668135285377502f, -0.06817583739757538f, 0.11641199141740799f, -0.2617245316505432f, -0.3648333251476288f, 0.3782595992088318f, -0.21862195432186127f, -0.4734538495540619f, -0.18785837292671204f, 0.2892598807811737f, 0.41345566511154175f, 0.09405913203954697f, 0.44505807757377625f, -0.6461201310157776f, -0.13250377774238586f, 0.7864364981651306f, -0.13472673296928406f, 0.08101485669612885f, 0.31927984952926636f, 0.4242139458656311f, -0.2957802712917328f, -0.08546287566423416f, -0.08791281282901764f, -0.7412681579589844f, -0.1409444510936737f, -0.8415948748588562f, 0.2752004563808441f, -0.5402536988258362f, -0.5551233887672424f});
        assertClose(draw(new InitPolicy.KaimingNormal(0, FanMode.FAN_IN, Nonlinearity.RELU), 4, 5), new float[] {-0.5186986327171326f, 0.25021910667419434f, 0.568519651889801f, -0.8781037330627441f, 0.1255076676607132f, 0.49462616443634033f, 0.6571893692016602f, -0.45822080969810486f, -0.5368969440460205f, -0.7696537375450134f, -0.05124254897236824f, 0.8610787987709045f, -1.3037930727005005f, 0.42633870244026184f, -0.8369573354721069f, -0.8599933981895447f, -0.5481502413749695f, -0.35670915246009827f, -1.3006211519241333f, -0.2256111353635788f});
    }

    @Test
    void truncNormalAgrees() {
        // nn.init.trunc_normal_(torch.empty(6, 5), mean=0.5, std=1.5, a=-1, b=2)
        assertClose(draw(new InitPolicy.TruncNormal(0.5, 1.5, -1, 2), 6, 5), new float[] {0.589695155620575f, -0.3109676241874695f, 0.9138679504394531f, 0.9076814651489258f, -0.2118028998374939f, 0.30711185932159424f, -0.2864682674407959f, 0.8358006477355957f, 0.1511646807193756f, 1.464126706123352f, 1.475752830505371f, 0.6309102177619934f, -0.0598909854888916f, -0.2887269854545593f, 0.35884541273117065f, 0.13524171710014343f, 1.0798091888427734f, -0.7173140048980713f, 1.8776798248291016f, -0.597234845161438f, 1.5661544799804688f, 0.2762989401817322f, 1.1830778121948242f, 1.0097953081130981f, 0.5537362694740295f, 0.7403370141983032f, 1.5556937456130981f, 0.8327817320823669f, 1.2061636447906494f, -0.5790877342224121f});
    }

    @Test
    void orthogonalAgreesForWideAndTallMatrices() {
        assertClose(draw(new InitPolicy.Orthogonal(1.5), 3, 5), new float[] {-0.09274595975875854f, 0.49668872356414795f, 0.5982075333595276f, -0.7040491700172424f, 1.068251371383667f, -0.6619080305099487f, -0.05562366545200348f, 1.0945128202438354f, -0.17708218097686768f, -0.7612272500991821f, 0.06181392818689346f, -0.4109989404678345f, 0.6234550476074219f, 1.1499097347259521f, 0.6052031517028809f});
        assertClose(draw(new InitPolicy.Orthogonal(1.0), 6, 4), new float[] {-0.36419880390167236f, 0.4841720461845398f, 0.6352944374084473f, -0.3126715421676636f, -0.07415825128555298f, 0.25130796432495117f, -0.2669166028499603f, -0.19423043727874756f, -0.37697651982307434f, -0.712925136089325f, 0.4407864809036255f, 0.1999703049659729f, -0.5787220001220703f, 0.3653821051120758f, -0.1653064340353012f, 0.678830087184906f, -0.38487789034843445f, -0.2214430272579193f, -0.5260886549949646f, -0.1425435096025467f, 0.4865165650844574f, 0.10778981447219849f, 0.16361041367053986f, 0.5859981775283813f});
    }

    @Test
    void eyeAndConstants() {
        assertThat(draw(new InitPolicy.Eye(), 3, 4)).containsExactly(new float[] {1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f});
        assertThat(draw(new InitPolicy.Constant(42), 2, 2)).containsOnly(42f);
        assertThat(draw(new InitPolicy.Ones(), 3)).containsOnly(1f);
    }

    @Test
    void customAppliesTheExpressionToTheBaseDraw() {
        float[] base = draw(new InitPolicy.Uniform(-10, 10), 8, 4);
        float[] custom = draw(new InitPolicy.Custom(new InitPolicy.Uniform(-10, 10), Expression.parse("w * (abs(w) >= 5)")), 8, 4);
        for (int i = 0; i < base.length; i++) {
            assertThat(custom[i]).isEqualTo(Math.abs(base[i]) >= 5 ? base[i] : 0f);
        }
    }

    @Test
    void gainsAreTorchs() {
        assertThat(Nonlinearity.TANH.gain(null)).isEqualTo(1.6666666666666667);
        assertThat(Nonlinearity.LEAKY_RELU.gain(0.2)).isEqualTo(1.3867504905630728);
    }

    @Test
    void impossiblePoliciesAreWordedAsPyTorch() {
        assertThatThrownBy(() -> draw(new InitPolicy.KaimingUniform(0, FanMode.FAN_IN, Nonlinearity.LEAKY_RELU), 8))
                .isInstanceOf(InitException.class)
                .hasMessage("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
        assertThatThrownBy(() -> draw(new InitPolicy.Orthogonal(1), 8)).hasMessage("Only tensors with 2 or more dimensions are supported");
        assertThatThrownBy(() -> draw(new InitPolicy.Eye(), 2, 2, 2)).hasMessage("Only tensors with 2 dimensions are supported");
        // torch.empty(3).uniform_(3, 2); .normal_(0, -1); nn.init.trunc_normal_(torch.empty(3), a=2, b=-2)
        assertThatThrownBy(() -> draw(new InitPolicy.Uniform(3, 2), 3))
                .hasMessage("uniform_ expects to return a [from, to) range, but found from=3 > to=2");
        assertThatThrownBy(() -> draw(new InitPolicy.Normal(0, -1), 3)).hasMessage("normal expects std >= 0.0, but found std -1");
        assertThatThrownBy(() -> draw(new InitPolicy.TruncNormal(0, 1, 2, -2), 3))
                .hasMessage("uniform_ expects to return a [from, to) range, but found from=0.9545 > to=-0.9545");
    }
}
