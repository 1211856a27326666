// The CPU-bound job kernels: the book's ARCFOUR and SHA-256 jobs, their input data and the
// job sets the book submits. Include this one header.
#ifndef JOBS_JOBS_HPP_
#define JOBS_JOBS_HPP_

#include "jobs/arcfour.hpp"   // IWYU pragma: export
#include "jobs/job_sets.hpp"  // IWYU pragma: export
#include "jobs/random.hpp"    // IWYU pragma: export
#include "jobs/sha256.hpp"    // IWYU pragma: export

#endif  // JOBS_JOBS_HPP_
