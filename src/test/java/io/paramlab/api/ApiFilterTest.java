package io.paramlab.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockFilterConfig;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The "already filtered" attribute keeps Spring's name, worked out once the filter is initialised, and still guards a second pass. */
class ApiFilterTest {
    static final class Counting extends ApiFilter {
        int runs;

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws java.io.IOException, jakarta.servlet.ServletException {
            runs++;
            chain.doFilter(request, response);
        }
    }

    @Test
    void theAttributeIsSpringsAndGuardsASecondPass() throws Exception {
        Counting filter = new Counting();
        filter.setBeanName("bean");
        assertThat(filter.getAlreadyFilteredAttributeName()).isEqualTo("bean.FILTERED");
        filter.init(new MockFilterConfig("counting"));
        for (int i = 0; i < 3; i++) {
            assertThat(filter.getAlreadyFilteredAttributeName()).isEqualTo("counting.FILTERED");
        }
        assertThat(filter.getAlreadyFilteredAttributeName()).isSameAs(filter.getAlreadyFilteredAttributeName());
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/models");
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, (req, res) -> {
            assertThat(req.getAttribute("counting.FILTERED")).isEqualTo(Boolean.TRUE);   // Spring's attribute, under Spring's name
            filter.doFilter(req, res, new MockFilterChain());
        });
        assertThat(filter.runs).isEqualTo(1);
        assertThat(request.getAttribute("counting.FILTERED")).isNull();   // removed after the pass
    }
}
