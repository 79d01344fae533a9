export const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  analyze FILE            Analyze a UTF-8 text file ("-" reads stdin) and print the result
      --type TYPE           analysis type (default: full)
      --max-tokens N        upper bound for the answer's length
      --no-wait             print the job id and return instead of waiting
      --json                print the final job as JSON (a cached answer in the same shape: cached true, jobId null)
  status JOB_ID           Show a job: status, stage, provider chain, tokens, result or error
      --json                print the job as JSON
  cancel JOB_ID           Ask the server to cancel a job
      --json                print the answer as JSON
  mode                    Show the operation mode, its reasons and the latest transitions
      --json                print the mode as JSON
  mode set MODE           Override the operation mode (NORMAL, DEGRADED, EMERGENCY, MAINTENANCE)
      --reason TEXT         why (required; recorded in the audit trail)
      --expires-in SECONDS  hand control back to health checks after this long
      --severity S          info, warning or critical
  mode clear              Remove the override and hand control back to health checks
      --reason TEXT         why (recorded in the audit trail)
  (mode set and mode clear accept --json too)

Global options:
  --api URL               API base URL (default: $ANALYSIS_API_URL or http://127.0.0.1:3000)
  --key KEY               API key, sent as a bearer token (default: $ANALYSIS_API_KEY)
  --help, -h              Show this help

Exit codes: 0 done, 1 job failed or cancelled, 2 usage error, 3 API or network error.
`;
