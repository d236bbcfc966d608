package io.paramlab;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The layering of STYLE.md: security -> api -> jobs -> model -> store/spec -> optim/formats -> nn -> init -> tensor
 * (security writes its refusals as the api's problems and names roles as the model's Access; instances,
 * beside security above the api, routes requests between instances by the store's leases; the api
 * knows the caller only through the servlet request), and no
 * Spring or Jackson in the engine packages, which could be lifted into another program unchanged.
 */
@AnalyzeClasses(packages = "io.paramlab", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("security").definedBy("io.paramlab.security..")
            .layer("instances").definedBy("io.paramlab.instances..")
            .layer("api").definedBy("io.paramlab.api..")
            .layer("jobs").definedBy("io.paramlab.jobs..")
            .layer("model").definedBy("io.paramlab.model..")
            .layer("store").definedBy("io.paramlab.store..")
            .layer("spec").definedBy("io.paramlab.spec..")
            .layer("optim").definedBy("io.paramlab.optim..")
            .layer("formats").definedBy("io.paramlab.formats..")
            .layer("nn").definedBy("io.paramlab.nn..")
            .layer("init").definedBy("io.paramlab.init..")
            .layer("tensor").definedBy("io.paramlab.tensor..")
            .whereLayer("security").mayNotBeAccessedByAnyLayer()
            .whereLayer("instances").mayNotBeAccessedByAnyLayer()
            .whereLayer("api").mayOnlyBeAccessedByLayers("security", "instances")
            .whereLayer("jobs").mayOnlyBeAccessedByLayers("api", "instances")
            .whereLayer("model").mayOnlyBeAccessedByLayers("api", "jobs", "security", "instances")
            .whereLayer("store").mayOnlyBeAccessedByLayers("api", "jobs", "model", "instances")
            .whereLayer("spec").mayOnlyBeAccessedByLayers("api", "jobs", "model")
            .whereLayer("optim").mayOnlyBeAccessedByLayers("api", "jobs", "model")
            .whereLayer("formats").mayOnlyBeAccessedByLayers("api", "model", "store")
            .whereLayer("nn").mayOnlyBeAccessedByLayers("api", "jobs", "model", "spec", "optim", "formats", "store")
            .whereLayer("init").mayOnlyBeAccessedByLayers("api", "model", "spec", "nn", "optim")
            .whereLayer("tensor").mayOnlyBeAccessedByLayers("api", "jobs", "model", "store", "spec", "nn", "init", "optim", "formats");

    @ArchTest
    static final ArchRule engineHasNoFramework = noClasses()
            .that().resideInAnyPackage("io.paramlab.tensor..", "io.paramlab.nn..", "io.paramlab.init..",
                    "io.paramlab.optim..", "io.paramlab.formats..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "tools.jackson..", "com.fasterxml..");
}
