package io.paramlab.api;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Spring's once-per-request filter with the name of its "already filtered" request attribute
 * worked out once: Spring's builds it ({@code <filter name>.FILTERED}) anew on every request.
 * The name is read when the container has initialised the filter, so it is the same string.
 */
abstract class ApiFilter extends OncePerRequestFilter {
    private String alreadyFiltered;

    @Override
    protected String getAlreadyFilteredAttributeName() {
        String name = alreadyFiltered;
        if (name == null || getFilterConfig() == null) {   // before init the name may still change
            name = super.getAlreadyFilteredAttributeName();
            if (getFilterConfig() != null) {
                alreadyFiltered = name;
            }
        }
        return name;
    }
}
