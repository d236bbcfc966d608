/**
 * Datasets and training jobs (API.md "Datasets", "Jobs"): {@link io.paramlab.jobs.DatasetService},
 * {@link io.paramlab.jobs.JobService} (the bounded executor, the queue that survives a restart, cancel
 * and resume), the request and answer records ({@link io.paramlab.jobs.JobRequest},
 * {@link io.paramlab.jobs.JobView}) and {@link io.paramlab.jobs.JobEvents} (Server-Sent Events). A job
 * runs PyTorch's canonical loop through {@link io.paramlab.model.JobTraining}: each step an in-memory
 * transaction of the model, each epoch's end a commit with the job's progress.
 */
package io.paramlab.jobs;
