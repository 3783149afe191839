from liaison.cli.main import run

run()
