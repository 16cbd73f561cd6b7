using System.CommandLine;
using System.Runtime.InteropServices;
using EventSourcery.Cli;

// eventsourcery: the operator's command line for EventSourcery's SQLite stores (docs/operations.md, "The command line").

// Ctrl+C (SIGINT) and SIGTERM cancel the command's token; each command decides its exit code then: `tail` ends
// normally (0), the others report an interruption (130). System.CommandLine's own handler is off, because it answers a
// signal with 130 for every command.
using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await EventSourceryCommand.Create().Parse(args).InvokeAsync(configuration, stop.Token).ConfigureAwait(false);
