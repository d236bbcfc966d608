package io.paramlab.security;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The start-up decision: loopback when open by default, open on purpose with PARAMLAB_AUTH=none, the container refusing to start open. */
class SafeDefaultsTest {

    @Test
    void openByDefaultListensOnLoopbackOnly() {
        assertThat(SafeDefaults.address(new SafeDefaults.Setting(false, "", false, false))).isEqualTo("127.0.0.1");
    }

    @Test
    void anExplicitAddressOrAuthNoneOrTokensLeaveTheAddressAlone() {
        assertThat(SafeDefaults.address(new SafeDefaults.Setting(false, "", false, true))).isNull();
        assertThat(SafeDefaults.address(new SafeDefaults.Setting(false, "none", false, false))).isNull();
        assertThat(SafeDefaults.address(new SafeDefaults.Setting(true, "", false, false))).isNull();
    }

    @Test
    void theContainerRefusesToStartWithoutTokens() {
        assertThatThrownBy(() -> SafeDefaults.address(new SafeDefaults.Setting(false, "", true, false)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PARAMLAB_SECURITY_TOKENS_0_NAME").hasMessageContaining("PARAMLAB_AUTH=none");
        // an explicit address does not make an open container safe
        assertThatThrownBy(() -> SafeDefaults.address(new SafeDefaults.Setting(false, null, true, true)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theContainerStartsWithTokensOrOpenOnPurpose() {
        assertThat(SafeDefaults.address(new SafeDefaults.Setting(true, "", true, false))).isNull();
        assertThat(SafeDefaults.address(new SafeDefaults.Setting(false, "NONE", true, false))).isNull();
    }

    @Test
    void anUnknownAuthSettingStopsTheStart() {
        assertThatThrownBy(() -> SafeDefaults.address(new SafeDefaults.Setting(false, "off", false, false)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("PARAMLAB_AUTH");
    }
}
