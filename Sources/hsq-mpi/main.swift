import Foundation
import HSQExperiments
import HSQMPI
import HSQShell

// hsq-mpi: the hsq shell on rank 0 of an MPI job, the other ranks serving its experiments' workers.
//
//   mpirun -n 9 hsq-mpi [script.hsq]       rank 0 runs the script (or the commands on standard input)
//   mpirun -n 4 hsq-mpi transport-check    every rank checks the transport; rank 0 prints a JSON report
//
// Started without mpirun it is a job of one rank: the shell with every worker local.

let arguments = Array(CommandLine.arguments.dropFirst())
JobSignals.install()
let world: Communicator
do {
  world = try Communicator.world()
} catch {
  FileHandle.standardError.write(Data("hsq-mpi: \(error)\n".utf8))
  exit(1)
}

JobSignals.setRank(world.rank)

if arguments.first == "transport-check" {
  do {
    if let report = try TransportCheck.run(world) { print(report) }
    try world.finalize()
    exit(0)
  } catch {
    world.abort("\(error)")
  }
}

guard world.rank == 0 else {
  do {
    try RankService.serve(world, threads: RankService.threadsPerRank(size: world.size))
    try world.finalize()
    exit(0)
  } catch {
    world.abort("\(error)")
  }
}

// `backend=mpi` puts an experiment's workers on the other ranks (all local in a job of one rank).
WorkerBackends.register("mpi") { MPIWorkerBackend(world: world) }
let status = HSQShellCommand.status(arguments)
do {
  if world.size > 1 { try RankService.shutdown(world) }
  try world.finalize()
} catch {
  world.abort("\(error)")
}
exit(status)
