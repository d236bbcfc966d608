package io.paramlab.security;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.StrictHttpFirewall;

import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The firewall's character loops accept exactly what StrictHttpFirewall's default regular expressions accept. */
class FirewallTest {
    // StrictHttpFirewall's own (spring-security-web 7.0)
    private static final Pattern NAMES = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");
    private static final Pattern VALUES = Pattern.compile("[\\p{IsAssigned}&&[[^\\p{IsControl}]||\\t]]*");

    private static void assertSame(String s) {
        assertThat(Firewall.assignedNotControl(s)).as("name %s", escaped(s)).isEqualTo(NAMES.matcher(s).matches());
        assertThat(Firewall.headerValue(s)).as("value %s", escaped(s)).isEqualTo(VALUES.matcher(s).matches());
    }

    private static String escaped(String s) {
        StringBuilder out = new StringBuilder();
        s.chars().forEach(c -> out.append(String.format("\\u%04x", c)));
        return out.toString();
    }

    @Test
    void everyCharacterAloneAndBetweenPrintableOnes() {
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            assertSame(String.valueOf((char) c));
            assertSame("ab" + (char) c + "cd");
        }
        assertSame("");
    }

    @Test
    void supplementaryCodePointsAndLoneSurrogates() {
        for (int cp = Character.MIN_SUPPLEMENTARY_CODE_POINT; cp <= Character.MAX_CODE_POINT; cp += 97) {
            assertSame("x" + new String(Character.toChars(cp)) + "y");
        }
        assertSame("\uD835\uDC65");   // 𝑥
        assertSame("a\uD835");        // a high surrogate at the end
        assertSame("\uDC65a");        // a low surrogate first
        assertSame("\uDC65\uD835");   // the pair reversed
    }

    @Test
    void randomStrings() {
        Random random = new Random(11);
        char[] pool = {'a', ' ', '\t', '\n', '\u007f', '\u0085', '\u00e9', '\u0378', '\uD835', '\uDC65', '\uFFFF', '\u2028', 'Z'};
        for (int i = 0; i < 20_000; i++) {
            char[] s = new char[random.nextInt(8)];
            for (int j = 0; j < s.length; j++) {
                s[j] = pool[random.nextInt(pool.length)];
            }
            assertSame(new String(s));
        }
    }

    @Test
    void theFirewallRefusesAControlCharacterInAHeader() {
        StrictHttpFirewall firewall = Firewall.strict();
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/models");
        request.addHeader("X-Ok", "a\tb \u00e9");
        request.addHeader("X-Bad", "a\u0085b");
        var wrapped = firewall.getFirewalledRequest(request);
        assertThat(wrapped.getHeader("X-Ok")).isEqualTo("a\tb \u00e9");
        assertThatThrownBy(() -> wrapped.getHeader("X-Bad")).isInstanceOf(RequestRejectedException.class);
    }
}
