from oncopro.cli import main

main()
